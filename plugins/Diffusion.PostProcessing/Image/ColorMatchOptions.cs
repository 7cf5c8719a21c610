using Diffusion.Abstractions.Options;

namespace Diffusion.PostProcessing.Image;

/// <summary>Options of <see cref="ColorMatchPostProcessor"/>.</summary>
public sealed class ColorMatchOptions
{
    /// <summary>The modality whose training images are the reference.</summary>
    [Required, ComponentRef(PluginKind.Modality), Description("Modality component whose training images are the colour reference.")]
    public string Data { get; set; } = "";

    /// <summary>Matching method. Default mean_std.</summary>
    [Description("mean_std (per-channel mean and standard deviation) or histogram (per-channel quantile mapping).")]
    public ColorMatchMode Mode { get; set; } = ColorMatchMode.MeanStd;

    /// <summary>How far to move towards the match: 0 keeps the samples, 1 matches fully. Default 1.</summary>
    [Range(0.0, 1.0), Description("Blend between the samples (0) and the matched samples (1).")]
    public double Strength { get; set; } = 1.0;
}
