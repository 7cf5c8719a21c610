using Diffusion.Abstractions.Options;

namespace Diffusion.PostProcessing.Image;

/// <summary>How <see cref="ColorMatchPostProcessor"/> matches colours.</summary>
public enum ColorMatchMode
{
    /// <summary>Each sample's channel is shifted and scaled to the reference channel's mean and standard deviation.</summary>
    [OptionName("mean_std")]
    MeanStd,
    /// <summary>Each sample's channel values are mapped, by rank, onto the reference channel's quantiles.</summary>
    Histogram,
}
