namespace Diffusion.Modalities.Text.Tokenizers;

/// <summary>
/// Text to token ids and back, with two special tokens every tokenizer has: <see cref="Pad"/> (fills a sequence up to its
/// length) and <see cref="EndOfText"/> (ends an entry). Ids are 0..<see cref="VocabSize"/>−1; the diffusion mask token is
/// the index <see cref="VocabSize"/>, one past the vocabulary (the denoiser adds it).
/// </summary>
internal abstract class TextTokenizer
{
    /// <summary>Number of token ids, special tokens included (not the mask).</summary>
    public abstract int VocabSize { get; }

    /// <summary>The padding id.</summary>
    public abstract int Pad { get; }

    /// <summary>The end-of-entry id.</summary>
    public abstract int EndOfText { get; }

    /// <summary>The ids of <paramref name="text"/> (no special tokens added).</summary>
    /// <exception cref="Diffusion.Abstractions.Runs.PluginInputException">The text holds something the vocabulary cannot express.</exception>
    public abstract int[] Encode(string text);

    /// <summary>The text of ordinary ids; special ids are skipped.</summary>
    public abstract string Decode(IEnumerable<int> ids);

    /// <summary>A readable name of one id, for logs ("[PAD]", "[EOS]", or its text).</summary>
    public string Describe(int id) => id == Pad ? "[PAD]" : id == EndOfText ? "[EOS]" : Decode([id]);
}
