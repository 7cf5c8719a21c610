namespace Diffusion.PostProcessing;

/// <summary>Options of <see cref="ClampPostProcessor"/>.</summary>
public sealed class ClampOptions : IValidatableObject
{
    /// <summary>Lower bound.</summary>
    [Description("Lower bound.")]
    public double Min { get; set; } = -1.0;

    /// <summary>Upper bound.</summary>
    [Description("Upper bound.")]
    public double Max { get; set; } = 1.0;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Min >= Max)
            yield return new ValidationResult($"min ({Min}) must be less than max ({Max})", [nameof(Max)]);
    }
}
