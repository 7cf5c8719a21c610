namespace Diffusion.PostProcessing.Image;

/// <summary>Resampling filters of <see cref="ResizePostProcessor"/>.</summary>
public enum ResizeMode
{
    /// <summary>Linear interpolation in each direction.</summary>
    Bilinear,
    /// <summary>Cubic convolution (a = −0.75, as PyTorch).</summary>
    Bicubic,
    /// <summary>Lanczos-3, windowed sinc, widened when shrinking so it also low-passes.</summary>
    Lanczos,
}
