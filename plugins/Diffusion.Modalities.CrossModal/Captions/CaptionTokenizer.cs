using System.Text.RegularExpressions;
using Diffusion.Modalities.Text.Tokenizers;

namespace Diffusion.Modalities.CrossModal.Captions;

/// <summary>How captions become tokens.</summary>
public enum CaptionTokenizerKind
{
    /// <summary>GPT-2 byte-level BPE (offline), compacted to the ids the captions use.</summary>
    Gpt2,
    /// <summary>One token per character of the captions' alphabet.</summary>
    Char,
}

/// <summary>
/// Captions as fixed-length rows of condition tokens: the text plugin's GPT-2 BPE or character tokenizer, compacted to
/// the ids that the caption vocabulary uses, with [PAD] = 0 and [EOS] = 1 and the rest in GPT-2 (or character) order,
/// so the same vocabulary texts always give the same ids and a checkpoint's vocabulary is reproducible. A row is the
/// caption's tokens followed by padding (no [EOS]: the padding mask ends it). Text is normalised first (trimmed,
/// lower-cased, runs of white space made one space), so "A photo of a  Bag" encodes like "a photo of a bag".
/// </summary>
internal sealed partial class CaptionTokenizer
{
    private readonly TextTokenizer tokenizer;
    private readonly HashSet<string> words;

    /// <summary>A tokenizer for rows of <paramref name="length"/> tokens over the vocabulary of <paramref name="vocabularyTexts"/>.</summary>
    public CaptionTokenizer(CaptionTokenizerKind kind, IEnumerable<string> vocabularyTexts, int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        var texts = vocabularyTexts.Select(Normalise).Distinct().Order(StringComparer.Ordinal).ToList();
        if (texts.Count == 0) throw new ArgumentException("a caption tokenizer needs at least one caption", nameof(vocabularyTexts));
        tokenizer = kind == CaptionTokenizerKind.Gpt2 ? new Gpt2Tokenizer(texts) : new CharTokenizer(texts);
        words = texts.SelectMany(t => t.Split(' ')).ToHashSet(StringComparer.Ordinal);
        Words = [.. words.Order(StringComparer.Ordinal)];
        Kind = kind;
        Length = length;
        Longest = texts.Max(t => tokenizer.Encode(t).Length);
    }

    /// <summary>Which tokenizer.</summary>
    public CaptionTokenizerKind Kind { get; }

    /// <summary>Number of ids, [PAD] (0) and [EOS] (1) included: the condition vocabulary size.</summary>
    public int VocabSize => tokenizer.VocabSize;

    /// <summary>Tokens per row.</summary>
    public int Length { get; }

    /// <summary>Tokens of the longest vocabulary text.</summary>
    public int Longest { get; }

    /// <summary>The words of the vocabulary texts, in ordinal order (for messages).</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>The normal form of a text: trimmed, lower-case, single spaces.</summary>
    public static string Normalise(string text) => Spaces().Replace(text.Trim().ToLowerInvariant(), " ");

    /// <summary>
    /// The row of <paramref name="text"/>: its tokens, then padding up to <see cref="Length"/>.
    /// </summary>
    /// <exception cref="PluginInputException">A word the vocabulary cannot express, or more tokens than the row holds.</exception>
    public long[] EncodeRow(string text)
    {
        string normal = Normalise(text);
        int[] ids;
        try
        {
            ids = tokenizer.Encode(normal);
        }
        catch (PluginInputException)
        {
            throw new PluginInputException(
                $"the prompt \"{text}\" has {UnknownWords(normal)} that the caption vocabulary cannot express; " +
                $"use the words of the training captions: {string.Join(", ", Words)}");
        }
        if (ids.Length > Length)
            throw new PluginInputException(
                $"the prompt \"{text}\" is {ids.Length} tokens long, but caption_length is {Length}: shorten it or set caption_length to at least {ids.Length}");
        var row = new long[Length];
        for (int i = 0; i < ids.Length; i++) row[i] = ids[i];
        return row;
    }

    /// <summary>The rows [N, <see cref="Length"/>] (long) of <paramref name="texts"/>.</summary>
    public Tensor Encode(IReadOnlyList<string> texts)
    {
        var flat = new long[(long)texts.Count * Length];
        for (int i = 0; i < texts.Count; i++) EncodeRow(texts[i]).CopyTo(flat, (long)i * Length);
        return tensor(flat, [texts.Count, Length], dtype: ScalarType.Int64);
    }

    /// <summary>The text of a row (padding and [EOS] skipped).</summary>
    public string Decode(IEnumerable<long> row) => tokenizer.Decode(row.Where(id => id >= 0 && id < VocabSize).Select(id => (int)id));

    private string UnknownWords(string normal)
    {
        // Each word as it appears after a space (GPT-2 splits before a space) or first: the ones that fail are unknown.
        var unknown = new List<string>();
        var parts = normal.Split(' ');
        for (int i = 0; i < parts.Length; i++)
        {
            try
            {
                tokenizer.Encode(i == 0 ? parts[i] : " " + parts[i]);
            }
            catch (PluginInputException)
            {
                unknown.Add(parts[i]);
            }
        }
        return unknown.Count switch
        {
            0 => "a word",
            1 => $"the word '{unknown[0]}'",
            _ => $"the words {string.Join(", ", unknown.Select(w => $"'{w}'"))}",
        };
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
