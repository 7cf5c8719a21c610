namespace Diffusion.Abstractions.Modalities;

/// <summary>
/// A modality whose items are text as token rows [N, L] (long, ids below <see cref="Denoisers.DataSpec.VocabSize"/>): the
/// text's tokens, <see cref="EndOfText"/>, then <see cref="Pad"/> up to L, such as plain text or the captions of an
/// image-to-text model. A stage that builds items from text (the infill stage's templates) tokenizes with it.
/// </summary>
public interface ITextModality : IModality
{
    /// <summary>The id that ends an item's text ([EOS]).</summary>
    int EndOfText { get; }

    /// <summary>The id that fills an item after its [EOS] ([PAD]).</summary>
    int Pad { get; }

    /// <summary>
    /// The token ids of <paramref name="text"/> as items hold them, without [EOS] or [PAD]. Text the vocabulary cannot
    /// express throws <see cref="Runs.PluginInputException"/> that says what it holds.
    /// </summary>
    IReadOnlyList<int> Encode(string text);
}
