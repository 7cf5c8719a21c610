using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Diffusion.Modalities.Image.Restoration;

/// <summary>Options of the <c>sdedit</c> stage (and of <c>denoise</c>, which only changes the defaults).</summary>
public class SdeditStageOptions : RestorationStageOptions
{
    /// <summary>The sampler to run the reverse process with; any sampler works.</summary>
    [Required, ComponentRef(PluginKind.Sampler), OptionAlias("scheduler"), Description("Sampler component that runs the reverse process (any sampler).")]
    public string Sampler { get; set; } = "";

    /// <summary>sdedit (start level from strength) or denoise (from noise_std). Default sdedit.</summary>
    [Description("sdedit: start from strength; denoise: start from the level of the input's noise (noise_std).")]
    public SdeditMode Mode { get; set; } = SdeditMode.Sdedit;

    /// <summary>Mode sdedit: how far into the forward process the input is pushed, in (0, 1]; 1 starts from pure noise. Default 0.5.</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true), Description("sdedit: fraction of the forward process the input is noised to, in (0, 1]; 1 = from pure noise.")]
    public double Strength { get; set; } = 0.5;

    /// <summary>Std of the Gaussian noise that corrupts the input, in [0, 1] pixel units (0.1 = 10% of the range). Default 0.</summary>
    [Range(0.0, 10.0), Description("Std of Gaussian noise added to the input, in [0, 1] pixel units (0 = clean input).")]
    public double NoiseStd { get; set; }

    /// <inheritdoc />
    public override IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var result in base.Validate(validationContext)) yield return result;
        if (Mode == SdeditMode.Denoise && !(NoiseStd > 0))
            yield return new ValidationResult("mode: denoise needs noise_std > 0: the std of the input's noise picks the starting level", [nameof(NoiseStd)]);
    }
}
