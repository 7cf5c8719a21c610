namespace Diffusion.Abstractions.Plugins;

/// <summary>Which way a metric improves.</summary>
public enum MetricGoal
{
    /// <summary>Smaller is better (losses, distances, errors, times).</summary>
    Minimize,

    /// <summary>Larger is better (accuracies, PSNR, diversity, throughput).</summary>
    Maximize,
}
