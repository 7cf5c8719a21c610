using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Diffusion.Modalities.Image.Restoration;

/// <summary>Options of the <c>superres</c> stage.</summary>
public sealed class SuperResolutionStageOptions : RestorationStageOptions
{
    /// <summary>The sampler to sample with; any sampler works.</summary>
    [Required, ComponentRef(PluginKind.Sampler), OptionAlias("scheduler"), Description("Sampler component that runs the reverse process (any sampler).")]
    public string Sampler { get; set; } = "";

    /// <summary>Downsampling factor, 2 or 4; must match the train stage's low_res_scale. Default 2.</summary>
    [Description("Downsampling factor of the low-resolution input: 2 or 4 (the train stage's low_res_scale).")]
    public int Scale { get; set; } = 2;

    /// <summary>How the low-resolution image is upsampled for the condition and the baseline; must match the train stage's low_res_upsample. Default bicubic.</summary>
    [Description("Upsampling of the low-resolution image for the condition and the baseline: bicubic or bilinear (the train stage's low_res_upsample).")]
    public Upsampling Upsample { get; set; } = Upsampling.Bicubic;

    /// <inheritdoc />
    public override IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var result in base.Validate(validationContext)) yield return result;
        if (Scale is not (2 or 4))
            yield return new ValidationResult($"scale must be 2 or 4 (got {Scale})", [nameof(Scale)]);
    }
}
