namespace Diffusion.PostProcessing.Image;

/// <summary>Options of <see cref="MedianPostProcessor"/>.</summary>
public sealed class MedianOptions : IValidatableObject
{
    /// <summary>Window side in pixels (odd). Default 3.</summary>
    [Range(3, 31), Description("Window side in pixels (odd).")]
    public int KernelSize { get; set; } = 3;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (KernelSize % 2 == 0)
            yield return new ValidationResult($"kernel_size ({KernelSize}) must be odd so the window has a centre", [nameof(KernelSize)]);
    }
}
