namespace Diffusion.PostProcessing.Image;

/// <summary>Options of <see cref="GaussianBlurPostProcessor"/>.</summary>
public sealed class GaussianBlurOptions : IValidatableObject
{
    /// <summary>Standard deviation in pixels. Default 1.</summary>
    [Range(0.01, 100.0), Description("Standard deviation of the Gaussian, in pixels.")]
    public double Sigma { get; set; } = 1.0;

    /// <summary>Taps of the kernel (odd); 0 takes 2·ceil(3σ) + 1. Default 0.</summary>
    [Range(0, 201), Description("Kernel size in pixels (odd); 0: 2*ceil(3*sigma)+1.")]
    public int KernelSize { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (KernelSize > 0 && KernelSize % 2 == 0)
            yield return new ValidationResult($"kernel_size ({KernelSize}) must be odd (or 0 for automatic)", [nameof(KernelSize)]);
    }
}
