namespace Diffusion.Compression.Quantization;

/// <summary>Options of <see cref="Int4WeightPass"/>.</summary>
public sealed class Int4WeightOptions : WeightQuantizationOptions, IValidatableObject
{
    /// <summary>Consecutive input weights of an output channel sharing one scale. Default 64.</summary>
    [Range(2, 65536), Description("Input weights per scale (per output channel); even. Smaller groups: more accurate, more scales.")]
    public int GroupSize { get; set; } = 64;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (GroupSize % 2 != 0)
            yield return new ValidationResult($"group_size ({GroupSize}) must be even: two int4 values are packed per byte", [nameof(GroupSize)]);
    }
}
