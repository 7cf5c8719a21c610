namespace Diffusion.Abstractions.Plugins;

/// <summary>
/// Declares which way a metric a plugin reports improves, so <c>runs compare</c>, sweeps without a written
/// <c>direction:</c> and the dashboard rank runs the right way whatever the metric's name says. Put it on the plugin
/// class, once per metric: <c>[MetricGoal("distinct_2", MetricGoal.Maximize)]</c>. <paramref name="metric"/> is the
/// name as the plugin reports it, matched against the last part of a recorded key (<c>eval/distinct_2</c>).
/// Undeclared metrics are judged by their names (docs/tracking.md, "Which way is better").
/// </summary>
/// <param name="metric">The metric's name (the part after the last '/').</param>
/// <param name="goal">Which way it improves.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MetricGoalAttribute(string metric, MetricGoal goal) : Attribute
{
    /// <summary>The metric's name (the part after the last '/').</summary>
    public string Metric { get; } = metric;

    /// <summary>Which way it improves.</summary>
    public MetricGoal Goal { get; } = goal;
}
