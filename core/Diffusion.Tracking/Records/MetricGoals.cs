namespace Diffusion.Tracking;

/// <summary>
/// Which way a metric improves, read from its name: losses, distances (fd, kid), errors and times are better lower;
/// accuracies, PSNR, SSIM, precision and recall, and throughputs (per second) are better higher. Used by
/// <c>runs compare</c> to mark the best run and by sweeps when no <c>direction:</c> is written. A metric whose name says
/// nothing is taken as lower-is-better, as most of this field's scores are.
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

    /// <summary>True when a larger value of <paramref name="key"/> is better.</summary>
    public static bool IsHigherBetter(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        string name = key[(key.LastIndexOf('/') + 1)..].ToLowerInvariant();
        return HigherNames.Contains(name)
            || HigherSuffixes.Any(s => name.EndsWith(s, StringComparison.Ordinal))
            || name.Split(['_', '-', '.'], StringSplitOptions.RemoveEmptyEntries).Any(HigherWords.Contains);
    }
}
