using static TorchSharp.torch;

namespace Diffusion.Abstractions.Denoisers;

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
