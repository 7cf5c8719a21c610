using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Diffusion.Modalities.Image.Latent;

/// <summary>
/// Options of the <c>captioned-latent</c> modality: the captioned image component whose images are encoded (and whose
/// captions, prompts and metrics are kept), and the autoencoder's options as for <c>latent</c>. The image options
/// inherited from <c>latent</c> (dataset, image_size, ...) are not read: the images come from <see cref="Images"/>.
/// </summary>
public sealed class CaptionedLatentModalityOptions : LatentModalityOptions
{
    /// <summary>The captioned image component (plugin <c>captioned-image</c>) whose images are encoded.</summary>
    [Required, ComponentRef(PluginKind.Modality), Description("The captioned-image component whose images are encoded; its captions, prompts and metrics are kept.")]
    public string Images { get; set; } = "";

    /// <inheritdoc />
    public override IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Downsample is not (4 or 8))
            yield return new ValidationResult($"downsample must be 4 or 8 (got {Downsample})", [nameof(Downsample)]);
        if (BaseChannels % 4 != 0)
            yield return new ValidationResult($"base_channels must be a multiple of 4 (got {BaseChannels})", [nameof(BaseChannels)]);
    }
}
