using Diffusion.Modalities.Text.Corpora;
using Diffusion.Modalities.Text.Tokenizers;

namespace Diffusion.Modalities.Text;

/// <summary>
/// A corpus read, split and tokenized once: the entries of each split (an entry is held out when a stable hash of its text
/// falls under <c>test_fraction</c>, so the split does not depend on order and duplicates never straddle it), the
/// tokenizer (whose vocabulary comes from the whole corpus) and the fixed-length rows of each split.
/// </summary>
internal sealed class TextDataset
{
    private TextDataset(TextTokenizer tokenizer, IReadOnlyList<string> train, IReadOnlyList<string> test, int seqLen, Packing packing)
    {
        Tokenizer = tokenizer;
        TrainEntries = train;
        TestEntries = test;
        SeqLen = seqLen;
        TrainRows = SequencePacking.Build(train.Select(tokenizer.Encode), seqLen, tokenizer.Pad, tokenizer.EndOfText, packing);
        TestRows = SequencePacking.Build(test.Select(tokenizer.Encode), seqLen, tokenizer.Pad, tokenizer.EndOfText, packing);
    }

    public TextTokenizer Tokenizer { get; }
    public IReadOnlyList<string> TrainEntries { get; }
    public IReadOnlyList<string> TestEntries { get; }
    public List<long[]> TrainRows { get; }
    public List<long[]> TestRows { get; }
    public int SeqLen { get; }

    /// <summary>Reads the corpus the options name.</summary>
    public static TextDataset Load(TextModalityOptions options)
    {
        IEnumerable<string> entries = options.Corpus switch
        {
            TextCorpus.Builtin => TextCorpora.Builtin(),
            TextCorpus.File => TextCorpora.TextFiles(options.CorpusPath),
            TextCorpus.Fortunes => TextCorpora.Fortunes(options.CorpusPath),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Corpus, "unknown corpus"),
        };
        if (options.MaxEntryChars > 0) entries = entries.Where(e => e.Length <= options.MaxEntryChars);
        if (options.Limit > 0) entries = entries.Take(options.Limit);
        var all = entries.ToList();
        if (all.Count == 0)
            throw new PluginInputException($"the {options.Corpus.ToString().ToLowerInvariant()} corpus has no entries (after max_entry_chars and limit); check path and filters");
        return From(all, options);
    }

    /// <summary>Splits and tokenizes <paramref name="entries"/>.</summary>
    public static TextDataset From(IReadOnlyList<string> entries, TextModalityOptions options)
    {
        TextTokenizer tokenizer = options.Tokenizer switch
        {
            TextTokenizerKind.Char => new CharTokenizer(entries),
            TextTokenizerKind.Gpt2 => options.CompactVocab ? new Gpt2Tokenizer(entries) : new Gpt2Tokenizer(),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Tokenizer, "unknown tokenizer"),
        };
        var train = new List<string>();
        var test = new List<string>();
        foreach (var entry in entries) (IsHeldOut(entry, options.TestFraction) ? test : train).Add(entry);
        if (train.Count == 0) throw new PluginInputException("every entry fell into the test split; lower test_fraction");
        if (test.Count == 0 && options.TestFraction > 0 && entries.Count >= 2)
        {
            // A tiny corpus can miss the held-out fraction entirely; hold out its last entry so evaluation has data.
            test.Add(train[^1]);
            train.RemoveAt(train.Count - 1);
        }
        return new TextDataset(tokenizer, train, test, options.SeqLen, options.Packing);
    }

    /// <summary>Whether an entry belongs to the test split: FNV-1a of its text, mapped to [0, 1), under the fraction.</summary>
    public static bool IsHeldOut(string entry, double fraction)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in entry) { h ^= c; h *= 1099511628211UL; }
        h ^= h >> 29; h *= 0xBF58476D1CE4E5B9UL; h ^= h >> 32;
        return (h >> 11) * (1.0 / (1UL << 53)) < fraction;
    }

    /// <summary>
    /// The text of one row: its ordinary tokens, with a line break for each [EOS] between them ([PAD]s and trailing [EOS]s
    /// dropped). A padded entry decodes to its text; a packed row to its entries, one per line.
    /// </summary>
    public string Decode(IReadOnlyList<long> row)
    {
        var pieces = new List<string>();
        var current = new List<int>();
        foreach (long id in row)
        {
            if (id == Tokenizer.EndOfText) { pieces.Add(Tokenizer.Decode(current)); current.Clear(); }
            else if (id != Tokenizer.Pad && id >= 0 && id < Tokenizer.VocabSize) current.Add((int)id);
        }
        pieces.Add(Tokenizer.Decode(current));
        return string.Join("\n", pieces).TrimEnd('\n');
    }

    /// <summary>The ordinary tokens of a row, in order ([PAD], [EOS] and mask ids dropped): what the text metrics count.</summary>
    public List<int> ContentTokens(IReadOnlyList<long> row) =>
        row.Where(id => id != Tokenizer.Pad && id != Tokenizer.EndOfText && id >= 0 && id < Tokenizer.VocabSize).Select(id => (int)id).ToList();
}
