namespace Diffusion.Abstractions.Denoisers;

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
