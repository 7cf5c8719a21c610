using System.Reflection;
using Diffusion.Abstractions.Plugins;

namespace Diffusion.Core.Plugins;

/// <summary>The metric goals the catalog's plugins declare with <see cref="MetricGoalAttribute"/>.</summary>
public static class PluginMetricGoals
{
    /// <summary>
    /// Metric name to true when higher is better, for <see cref="Tracking.MetricGoals.IsHigherBetter"/>. Where two
    /// plugins disagree on a name the first in catalog order wins (both are listed by <c>diffusion plugins</c>).
    /// </summary>
    public static IReadOnlyDictionary<string, bool> Of(IPluginCatalog catalog)
    {
        var goals = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var plugin in catalog.All)
            foreach (var declared in plugin.Implementation.GetCustomAttributes<MetricGoalAttribute>())
                goals.TryAdd(declared.Metric, declared.Goal == MetricGoal.Maximize);
        return goals;
    }
}
