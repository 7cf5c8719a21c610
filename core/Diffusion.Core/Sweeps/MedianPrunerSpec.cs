namespace Diffusion.Core.Sweeps;

/// <summary>
/// The median pruner: once a trial reaches <paramref name="WarmupSteps"/> and <paramref name="StartupTrials"/>
/// trials have completed, the trial stops when its best value of <paramref name="Metric"/> so far is worse than
/// the median of the completed trials' values at the same step.
/// </summary>
/// <param name="Metric">The intermediate metric (by default the objective).</param>
/// <param name="Maximize">True when larger values of the metric are better.</param>
/// <param name="WarmupSteps">No trial is pruned before this step.</param>
/// <param name="StartupTrials">No trial is pruned until this many trials have completed.</param>
public sealed record MedianPrunerSpec(string Metric, bool Maximize, long WarmupSteps, int StartupTrials);
