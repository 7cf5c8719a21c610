namespace Diffusion.PostProcessing.Image;

/// <summary>Options of <see cref="DynamicThresholdPostProcessor"/>.</summary>
public sealed class DynamicThresholdOptions
{
    /// <summary>Percentile of |x| per sample that sets the threshold. Default 0.995 (Imagen).</summary>
    [Range(0.5, 1.0), Description("Percentile (0.5-1) of |x| per sample that sets the threshold s.")]
    public double Percentile { get; set; } = 0.995;
}
