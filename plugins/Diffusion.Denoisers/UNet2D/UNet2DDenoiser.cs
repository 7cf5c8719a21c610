using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;

namespace Diffusion.Denoisers.UNet2D;

/// <summary>
/// A DDPM-style U-Net for images (Ho et al. 2020; Nichol and Dhariwal 2021): residual blocks with a
/// timestep embedding, self-attention at chosen resolutions, skip connections between the two halves.
/// Conditioning: class labels (an embedding added to the time embedding), a context of tokens (cross-attention at the
/// attention resolutions, and its pooled mean added to the time embedding) given directly or encoded from the data's
/// condition tokens by a jointly trained text encoder (text-to-image), and extra input channels concatenated
/// to x_t (e.g. the upsampled low-resolution image of super-resolution).
/// Odd feature-map sizes work (28 → 14 → 7 → 4 and back), because each upsampling goes to the exact size of
/// its skip connection.
/// </summary>
[Plugin(PluginKind.Denoiser, "unet2d", Options = typeof(UNet2DOptions),
    Description = "U-Net for images: residual blocks, timestep embedding, self-attention; optional class labels, cross-attention to a context, concat channels.")]
public sealed class UNet2DDenoiser(UNet2DOptions options) : IDenoiser
{
    /// <inheritdoc />
    public DenoiserModule Build(DataSpec data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Kind != "image" || data.ItemShape is not { Length: 3 } shape || shape.Any(d => d < 1))
            throw new PluginInputException(
                $"unet2d models images, but the modality provides {data.Kind} data of shape [{string.Join(", ", data.ItemShape ?? [])}]: " +
                "pair it with an image modality (items [C, H, W]) or pick a denoiser for this kind of data");
        int classes = options.ClassConditional ? data.NumClasses : 0;
        if (options.TextEncoderLayers > 0 && (data.ConditionVocabSize <= 1 || data.ConditionLength < 1))
            throw new PluginInputException(
                $"unet2d has a text encoder (text_encoder_layers: {options.TextEncoderLayers}), but the data carries no condition tokens: " +
                "train on captioned data (e.g. the captioned-image modality) or set text_encoder_layers: 0");
        if (options.TextEncoderLayers == 0 && data.ConditionVocabSize > 0)
            throw new PluginInputException(
                $"the data carries caption tokens (vocabulary {data.ConditionVocabSize}, length {data.ConditionLength}), but unet2d has no text encoder to read them: " +
                "set text_encoder_layers (e.g. 2) and context_dim (e.g. 64), or train on data without captions (the image modality)");
        return new UNet2DNetwork(options, (int)shape[0], (int)shape[1], classes, data.ConditionVocabSize, data.ConditionLength);
    }
}
