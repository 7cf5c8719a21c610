namespace Diffusion.Tracking;

/// <summary>
/// Which way a metric improves, read from its name: losses, distances (fd, kid), errors and times are better lower;
/// accuracies, PSNR, SSIM, precision and recall, and throughputs (per second) are better higher. Used by
/// <c>runs compare</c> to mark the best run and by sweeps when no <c>direction:</c> is written. A metric whose name says
/// nothing is taken as lower-is-better, as most of this field's scores are. What plugins declare
/// (<c>[MetricGoal]</c>, passed in as <c>declared</c>: metric name to true when higher is better) wins over the name.
/// </summary>
public static class MetricGoals
{
    // Words of the last part of the key (after the last '/', split at '_', '-' and '.') that mean higher is better.
    private static readonly HashSet<string> HigherWords =
    [
        "acc", "accuracy", "psnr", "ssim", "precision", "recall", "coverage", "density", "diversity", "bleu", "rouge",
        "throughput", "f1", "auc", "snr",
    ];

    // Whole names (the last part of the key) that mean higher is better.
    private static readonly HashSet<string> HigherNames = ["is", "inception_score", "clip_score", "r2"];

    private static readonly string[] HigherSuffixes = ["per_second", "per_sec", "_per_s", "it_s", "samples_s", "steps_s"];

    /// <summary>True when a larger value of <paramref name="key"/> is better: as declared, else as its name says.</summary>
    /// <param name="key">A recorded metric key (<c>eval/fd</c>).</param>
    /// <param name="declared">Goals plugins declared, by metric name (the part after the last '/'): true for higher is better.</param>
    public static bool IsHigherBetter(string key, IReadOnlyDictionary<string, bool>? declared = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        string last = key[(key.LastIndexOf('/') + 1)..];
        if (declared is not null && declared.TryGetValue(last, out bool higher)) return higher;
        string name = last.ToLowerInvariant();
        return HigherNames.Contains(name)
            || HigherSuffixes.Any(s => name.EndsWith(s, StringComparison.Ordinal))
            || name.Split(['_', '-', '.'], StringSplitOptions.RemoveEmptyEntries).Any(HigherWords.Contains);
    }
}
