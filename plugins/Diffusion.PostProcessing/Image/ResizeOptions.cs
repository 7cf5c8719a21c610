namespace Diffusion.PostProcessing.Image;

/// <summary>Options of <see cref="ResizePostProcessor"/>.</summary>
public sealed class ResizeOptions
{
    /// <summary>Output height in pixels.</summary>
    [Range(1, 16384), Description("Output height in pixels.")]
    public int Height { get; set; } = 64;

    /// <summary>Output width in pixels; 0 takes the height. Default 0.</summary>
    [Range(0, 16384), Description("Output width in pixels; 0: same as height.")]
    public int Width { get; set; }

    /// <summary>Resampling filter. Default bicubic.</summary>
    [Description("Resampling filter: bilinear, bicubic or lanczos.")]
    public ResizeMode Mode { get; set; } = ResizeMode.Bicubic;
}
