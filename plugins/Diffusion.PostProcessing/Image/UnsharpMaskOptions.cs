namespace Diffusion.PostProcessing.Image;

/// <summary>Options of <see cref="UnsharpMaskPostProcessor"/>.</summary>
public sealed class UnsharpMaskOptions
{
    /// <summary>Standard deviation of the blur that defines detail, in pixels. Default 1.</summary>
    [Range(0.01, 100.0), Description("Standard deviation of the blur that defines detail, in pixels.")]
    public double Sigma { get; set; } = 1.0;

    /// <summary>How much detail is added back. Default 0.5.</summary>
    [Range(0.0, 10.0), Description("How much of the detail (image - blurred) is added.")]
    public double Amount { get; set; } = 0.5;

    /// <summary>Detail smaller than this (in model units) is left alone, so flat noise is not sharpened. Default 0.</summary>
    [Range(0.0, 2.0), Description("Detail whose magnitude is below this is not sharpened (model units).")]
    public double Threshold { get; set; }
}
