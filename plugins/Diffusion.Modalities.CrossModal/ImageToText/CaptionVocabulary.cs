using Diffusion.Modalities.Text.Tokenizers;

namespace Diffusion.Modalities.CrossModal.ImageToText;

/// <summary>
/// Every caption a captioned dataset can give (shapes: the 120 attribute combinations; class datasets: each class name under
/// each template), the tokenizer built from them (compact GPT-2 BPE or characters: only what the captions use), and the
/// fixed-length rows: the caption's tokens, [EOS], then [PAD]s. The vocabulary depends only on the options, never on which
/// items were loaded, so train and test rows share their ids.
/// </summary>
internal sealed class CaptionVocabulary
{
    private readonly HashSet<string> _captions;

    private CaptionVocabulary(TextTokenizer tokenizer, IReadOnlyList<string> captions, int seqLen)
    {
        Tokenizer = tokenizer;
        Captions = captions;
        SeqLen = seqLen;
        _captions = new HashSet<string>(captions.Select(Normalize), StringComparer.Ordinal);
    }

    /// <summary>The tokenizer (ids 0 = [PAD], 1 = [EOS], then the captions' tokens).</summary>
    public TextTokenizer Tokenizer { get; }

    /// <summary>Every caption the dataset can give, in a fixed order.</summary>
    public IReadOnlyList<string> Captions { get; }

    /// <summary>Tokens per row.</summary>
    public int SeqLen { get; }

    /// <summary>Builds the vocabulary of the dataset the options name; a caption longer than a row is a user error.</summary>
    public static CaptionVocabulary For(ImageCaptionOptions options)
    {
        var classNames = CaptionedImages.ClassNames(options);
        IReadOnlyList<string> captions = options.Dataset == CaptionedDataset.Shapes
            ? classNames
            : classNames.SelectMany(name => options.Templates.Select(template => ClassPrompts.Format(template, name))).Distinct().ToList();
        return From(captions, options.Tokenizer, options.SeqLen);
    }

    /// <summary>A vocabulary over <paramref name="captions"/>.</summary>
    public static CaptionVocabulary From(IReadOnlyList<string> captions, TextTokenizerKind kind, int seqLen)
    {
        TextTokenizer tokenizer = kind == TextTokenizerKind.Char ? new CharTokenizer(captions) : new Gpt2Tokenizer(captions);
        var longest = captions.Select(c => (Caption: c, Tokens: tokenizer.Encode(c).Length)).MaxBy(p => p.Tokens);
        if (longest.Tokens + 1 > seqLen)
            throw new PluginInputException(
                $"the caption \"{longest.Caption}\" takes {longest.Tokens} {kind.ToString().ToLowerInvariant()} tokens plus [EOS], more than seq_len: {seqLen}; set seq_len to at least {longest.Tokens + 1}");
        return new CaptionVocabulary(tokenizer, captions, seqLen);
    }

    /// <summary>The rows [N][SeqLen] of <paramref name="captions"/>.</summary>
    public List<long[]> Rows(IEnumerable<string> captions) =>
        SequencePacking.Build(captions.Select(Tokenizer.Encode), SeqLen, Tokenizer.Pad, Tokenizer.EndOfText, Packing.Pad);

    /// <summary>
    /// The caption of a row: its ordinary tokens before the first [EOS] ([PAD]s and out-of-vocabulary ids, such as a mask
    /// left over, are skipped), with runs of spaces collapsed.
    /// </summary>
    public string Decode(IReadOnlyList<long> row)
    {
        var ids = new List<int>();
        foreach (long id in row)
        {
            if (id == Tokenizer.EndOfText) break;
            if (id != Tokenizer.Pad && id >= 0 && id < Tokenizer.VocabSize) ids.Add((int)id);
        }
        return Normalize(Tokenizer.Decode(ids));
    }

    /// <summary>Whether <paramref name="caption"/> is one the dataset can give (after normalising spaces).</summary>
    public bool IsKnown(string caption) => _captions.Contains(Normalize(caption));

    /// <summary>Trims and collapses runs of white space to one space: how captions are compared.</summary>
    public static string Normalize(string caption) =>
        string.Join(' ', caption.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
