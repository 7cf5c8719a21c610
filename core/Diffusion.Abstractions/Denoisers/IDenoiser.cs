using static TorchSharp.torch;

namespace Diffusion.Abstractions.Denoisers;

/// <summary>A denoiser architecture: builds the network for the data a modality provides.</summary>
public interface IDenoiser
{
    /// <summary>Builds a freshly initialised network for data of <paramref name="data"/>'s shape (on the CPU).</summary>
    DenoiserModule Build(DataSpec data);
}

/// <summary>
/// The network a denoiser builds: maps a noisy batch x_t [B, ...], timesteps t [B] (float, in training
/// timestep units) and optional conditioning to the model output (same shape as x_t).
/// </summary>
public abstract class DenoiserModule(string name) : nn.Module<Tensor, Tensor, Conditioning?, Tensor>(name);

/// <summary>Conditioning passed to a denoiser. Every member is optional.</summary>
/// <param name="ClassLabels">Class indices [B] (long); the value equal to the class count means "no class" (for guidance).</param>
/// <param name="Context">A sequence of condition embeddings [B, L, D] for cross-attention.</param>
/// <param name="ContextMask">Which context positions are valid [B, L] (bool).</param>
/// <param name="Concat">Extra channels concatenated to the input [B, C', ...] (e.g. an upsampled low-resolution image).</param>
public sealed record Conditioning(Tensor? ClassLabels = null, Tensor? Context = null, Tensor? ContextMask = null, Tensor? Concat = null);

/// <summary>The shape and vocabulary of the data a modality produces.</summary>
/// <param name="Kind">"image", "tokens" or "vector".</param>
/// <param name="ItemShape">Shape of one item: [C, H, W] for images, [L] for token sequences, [D] for vectors.</param>
/// <param name="NumClasses">Number of class labels, 0 when unlabelled.</param>
/// <param name="VocabSize">Token vocabulary size, 0 for continuous data.</param>
public sealed record DataSpec(string Kind, long[] ItemShape, int NumClasses = 0, int VocabSize = 0);
