using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Diffusion.Modalities.Image.Restoration;

/// <summary>Options of the <c>inpaint</c> stage.</summary>
public sealed class InpaintStageOptions : RestorationStageOptions
{
    /// <summary>Which pixels are missing. Default box.</summary>
    [Description("Missing region: box, half (right half), strokes (random brush strokes, seeded) or file (mask_file).")]
    public MaskKind Mask { get; set; } = MaskKind.Box;

    /// <summary>The missing rectangle [top, left, height, width] in pixels for mask: box; empty: the centred half-size square.</summary>
    [Description("mask: box: the missing rectangle [top, left, height, width] in pixels; [] = centred square of half the side.")]
    public int[] Box { get; set; } = [];

    /// <summary>Brush strokes per image for mask: strokes. Default 3.</summary>
    [Range(1, 64), Description("mask: strokes: brush strokes per image.")]
    public int Strokes { get; set; } = 3;

    /// <summary>A PNG of the images' size for mask: file; white pixels are filled in, black pixels kept. Relative to the working directory.</summary>
    [Description("mask: file: PNG of the images' size; white = fill in, black = keep (relative to the working directory).")]
    public string? MaskFile { get; set; }

    /// <summary>The reverse process: auto (the ODE for a flow model, ancestral otherwise), ancestral (RePaint) or ode. Default auto.</summary>
    [Description("Reverse process: auto (ode for a flow model, ancestral otherwise), ancestral (RePaint) or ode (flow models).")]
    public InpaintMethod Method { get; set; } = InpaintMethod.Auto;

    /// <summary>RePaint: steps down between resampling jumps (and how far each jump goes back up). Default 10.</summary>
    [Range(1, 100_000), Description("RePaint: steps down between jumps, and how many levels each jump re-noises.")]
    public int JumpLength { get; set; } = 10;

    /// <summary>RePaint: how many times each stretch is denoised (1 = no resampling). Default 5.</summary>
    [Range(1, 1000), Description("RePaint: times each stretch of jump_length steps is denoised (1 = no resampling).")]
    public int JumpNSample { get; set; } = 5;

    /// <summary>Clamp the model's clean estimate to [−1, 1] at each step. Default true.</summary>
    [Description("Clamp the clean estimate to [-1, 1] at each step.")]
    public bool ClipDenoised { get; set; } = true;

    /// <summary>Also run the two baselines (masked-mean fill, replacement without resampling) and report their scores. Default true.</summary>
    [Description("Also run the baselines (masked-mean fill; replacement without resampling) on the same images.")]
    public bool Baselines { get; set; } = true;

    /// <inheritdoc />
    public override IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var result in base.Validate(validationContext)) yield return result;
        if (Mask == MaskKind.File && string.IsNullOrWhiteSpace(MaskFile))
            yield return new ValidationResult("mask: file needs mask_file: the path of a PNG mask (white = fill in, black = keep)", [nameof(MaskFile)]);
        else if (Mask == MaskKind.File && !System.IO.File.Exists(Path.GetFullPath(MaskFile!)))
            yield return new ValidationResult(
                $"mask_file {Path.GetFullPath(MaskFile!)} does not exist (relative paths start at the working directory); give a PNG of the images' size whose white pixels mark the region to fill in",
                [nameof(MaskFile)]);
        if (Mask != MaskKind.File && !string.IsNullOrWhiteSpace(MaskFile))
            yield return new ValidationResult($"mask_file is only read with mask: file (mask is {Mask.ToString().ToLowerInvariant()})", [nameof(MaskFile)]);
        if (Box is null || (Box.Length != 0 && Box.Length != 4))
            yield return new ValidationResult("box must be [top, left, height, width] (four numbers), or [] for the centred square", [nameof(Box)]);
        else if (Box.Length == 4 && (Box[0] < 0 || Box[1] < 0 || Box[2] < 1 || Box[3] < 1))
            yield return new ValidationResult($"box [{string.Join(", ", Box)}] needs top, left >= 0 and height, width >= 1", [nameof(Box)]);
    }
}
