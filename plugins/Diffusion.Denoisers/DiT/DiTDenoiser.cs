using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;

namespace Diffusion.Denoisers.DiT;

/// <summary>
/// A diffusion transformer (DiT, Peebles and Xie 2023) for images: the image [C, H, W] is cut into patch_size²
/// patches, each a token with a fixed 2-D sine-cosine position; depth adaLN-Zero blocks conditioned on the timestep
/// (and class label, and pooled context) transform them; a zero-initialised linear layer maps each token back to
/// its patch. Sizes that patch_size does not divide are padded with zeros on the bottom and right and cropped back.
/// Output: same shape as the input.
/// </summary>
[Plugin(PluginKind.Denoiser, "dit", Options = typeof(DiTOptions),
    Description = "Diffusion transformer for images: patchify, adaLN-Zero blocks; optional class labels, concat channels, cross-attention.")]
public sealed class DiTDenoiser(DiTOptions options) : IDenoiser
{
    /// <inheritdoc />
    public DenoiserModule Build(DataSpec data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Kind != "image" || data.ItemShape is not { Length: 3 } shape || shape.Any(d => d < 1))
            throw new PluginInputException(
                $"dit models images, but the modality provides {data.Kind} data of shape [{string.Join(", ", data.ItemShape ?? [])}]: " +
                "pair it with an image modality (items [C, H, W]) or pick a denoiser for this kind of data (mlp for vectors, transformer1d for token sequences)");
        return new DiTNetwork(options, (int)shape[0], options.ClassConditional ? data.NumClasses : 0);
    }
}
