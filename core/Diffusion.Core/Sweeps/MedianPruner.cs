using System.Globalization;

namespace Diffusion.Core.Sweeps;

/// <summary>
/// Decides whether a running trial stops early: once it has reported at or past
/// <see cref="MedianPrunerSpec.WarmupSteps"/> and <see cref="MedianPrunerSpec.StartupTrials"/> trials have
/// completed, it stops when its best value so far is worse than the median of the completed trials' values at
/// its latest step (each completed trial's last value at or before that step). A trial whose values are all NaN
/// has diverged and stops too.
/// </summary>
internal static class MedianPruner
{
    /// <summary>Why the trial should stop, or null to let it go on.</summary>
    /// <param name="spec">The pruner's settings.</param>
    /// <param name="trial">The running trial's reported values (step, value), in any order.</param>
    /// <param name="completed">Each completed trial's values of the same metric.</param>
    public static string? ShouldPrune(MedianPrunerSpec spec, IReadOnlyList<(long Step, double Value)> trial, IReadOnlyList<IReadOnlyList<(long Step, double Value)>> completed)
    {
        if (trial.Count == 0)
            return null;
        var step = trial.Max(p => p.Step);
        if (step < spec.WarmupSteps || completed.Count < spec.StartupTrials)
            return null;
        var references = completed
            .Select(c => c.Where(p => p.Step <= step && !double.IsNaN(p.Value)).OrderBy(p => p.Step).Select(p => (double?)p.Value).LastOrDefault())
            .OfType<double>()
            .ToList();
        if (references.Count < spec.StartupTrials)
            return null;

        var values = trial.Where(p => !double.IsNaN(p.Value)).Select(p => p.Value).ToList();
        if (values.Count == 0)
            return $"pruned at step {step}: every value of {spec.Metric} so far is NaN";
        var best = spec.Maximize ? values.Max() : values.Min();
        var median = Median(references);
        var worse = spec.Maximize ? best < median : best > median;
        return worse
            ? $"pruned at step {step}: best {spec.Metric} so far {Text(best)} is worse than the median {Text(median)} of {references.Count} completed trials at that step"
            : null;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return (sorted[(sorted.Count - 1) / 2] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Text(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
