using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Diffusion.Modalities.Image.Latent;

/// <summary>
/// Options of the <c>latent</c> modality: the images (every option of the <c>image</c> modality, which it wraps) and the
/// KL autoencoder whose latents the diffusion model trains on.
/// </summary>
public class LatentModalityOptions : ImageModalityOptions
{
    /// <summary>Latent channels C. Default 4 (Stable Diffusion's).</summary>
    [Range(1, 64), Description("Latent channels C of the autoencoder (latent shape C x H/f x W/f).")]
    public int LatentChannels { get; set; } = 4;

    /// <summary>The spatial downsampling f: 4 or 8. Default 4.</summary>
    [Description("Spatial downsampling factor f of the autoencoder: 4 or 8.")]
    public int Downsample { get; set; } = 4;

    /// <summary>Width of the autoencoder's first level (deeper levels use twice it). Default 32.</summary>
    [Range(8, 512), Description("Channels of the autoencoder's first level (deeper levels use twice as many); a multiple of 4.")]
    public int BaseChannels { get; set; } = 32;

    /// <summary>
    /// A trained autoencoder (a <c>train-autoencoder</c> stage's <c>autoencoder.safetensors</c>) to use instead of training
    /// one in this run; relative to the working directory. Without it, a <c>train-autoencoder</c> stage must come first.
    /// </summary>
    [Description("A train-autoencoder checkpoint (autoencoder.safetensors) to use instead of a train-autoencoder stage in this run.")]
    public string? AutoencoderWeights { get; set; }

    /// <inheritdoc />
    public override IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var result in base.Validate(validationContext)) yield return result;
        if (Downsample is not (4 or 8))
            yield return new ValidationResult($"downsample must be 4 or 8 (got {Downsample})", [nameof(Downsample)]);
        else if (ImageSize % Downsample != 0)
            yield return new ValidationResult($"image_size {ImageSize} must be a multiple of downsample {Downsample}", [nameof(ImageSize)]);
        if (BaseChannels % 4 != 0)
            yield return new ValidationResult($"base_channels must be a multiple of 4 (got {BaseChannels})", [nameof(BaseChannels)]);
    }
}
