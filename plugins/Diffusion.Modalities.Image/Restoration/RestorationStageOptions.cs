using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Diffusion.Abstractions.Stages;

namespace Diffusion.Modalities.Image.Restoration;

/// <summary>
/// Options every restoration stage has: the model, the images to restore and how many, and the images' conditions with the
/// classifier-free guidance towards them (as the <c>sample</c> stage has them).
/// </summary>
public abstract class RestorationStageOptions : GuidedSamplingOptions, IValidatableObject
{
    /// <summary>The denoiser component a train stage of the same run trained.</summary>
    [Required, ComponentRef(PluginKind.Denoiser), Description("Trained denoiser component (trained by an earlier train stage).")]
    public string Model { get; set; } = "";

    /// <summary>The image modality whose held-out (test) split gives the ground-truth images.</summary>
    [Required, ComponentRef(PluginKind.Modality), Description("Image modality: the first `count` images of its test split are the ground truth.")]
    public string Data { get; set; } = "";

    /// <summary>Number of images restored. Default 16.</summary>
    [Range(1, 100_000), Description("Number of test images restored.")]
    public int Count { get; set; } = 16;

    /// <summary>Images per batch; does not change any result. Default 16.</summary>
    [Range(1, 65536), Description("Images per batch (does not change the results).")]
    public int BatchSize { get; set; } = 16;

    /// <summary>Denoising steps (noise levels). Default 50.</summary>
    [Range(1, 100_000), Description("Denoising steps.")]
    public int Steps { get; set; } = 50;

    /// <inheritdoc />
    public virtual IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => ValidateConditions(Data);
}
