using Diffusion.Abstractions.Runs;
using static TorchSharp.torch;

namespace Diffusion.Abstractions.Modalities;

/// <summary>
/// A modality whose items are the latents of a trained autoencoder (latent diffusion): <see cref="IModality.Load"/> gives
/// latents to train on, and a stage that draws samples decodes them with <see cref="Decode"/> before it keeps, writes or
/// scores them, so <see cref="IModality.WriteSamples"/>, <see cref="IModality.Evaluate"/>, post-processors and later stages
/// see decoded data, as from a pixel-space model.
/// </summary>
public interface ILatentModality : IModality
{
    /// <summary>Decodes latents [B, ...<see cref="IModality.Spec"/>.ItemShape] (as a sampler returns them) to data items on the CPU.</summary>
    Tensor Decode(Tensor latents, IRunContext context);
}
