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
public sealed record Conditioning(Tensor? ClassLabels = null, Tensor? Context = null, Tensor? ContextMask = null, Tensor? Concat = null)
{
    /// <summary>
    /// Condition tokens [B, L] (long, ids 1..<see cref="DataSpec.ConditionVocabSize"/>−1; 0 is padding), such as a caption,
    /// for a denoiser that encodes them itself (text-to-image). A row of only padding means "no condition" (for guidance):
    /// the denoiser maps it to its learned null condition.
    /// </summary>
    public Tensor? Tokens { get; init; }

    /// <summary>
    /// A condition image [B, C, H, W] (model space, [-1, 1]) for a denoiser that encodes it itself (image-to-text); shape
    /// <see cref="DataSpec.ConditionImageShape"/> per item.
    /// </summary>
    public Tensor? Image { get; init; }
}

/// <summary>The shape and vocabulary of the data a modality produces.</summary>
/// <param name="Kind">"image", "tokens" or "vector".</param>
/// <param name="ItemShape">Shape of one item: [C, H, W] for images, [L] for token sequences, [D] for vectors.</param>
/// <param name="NumClasses">Number of class labels, 0 when unlabelled.</param>
/// <param name="VocabSize">Token vocabulary size, 0 for continuous data.</param>
public sealed record DataSpec(string Kind, long[] ItemShape, int NumClasses = 0, int VocabSize = 0)
{
    /// <summary>
    /// Vocabulary of the condition tokens each item carries (<see cref="Modalities.ModalityData.ConditionTokens"/>; id 0 is
    /// padding), or 0 when the items have none. A denoiser sizes its condition encoder from it.
    /// </summary>
    public int ConditionVocabSize { get; init; }

    /// <summary>Length L of the condition token rows, or 0 when the items have none.</summary>
    public int ConditionLength { get; init; }

    /// <summary>Shape [C, H, W] of the condition image each item carries (<see cref="Modalities.ModalityData.ConditionImages"/>), or null.</summary>
    public long[]? ConditionImageShape { get; init; }
}
