namespace Diffusion.Modalities.Text.Tokenizers;

/// <summary>
/// One token per character (UTF-16 code unit) of an alphabet taken from the corpus: id 0 is [PAD], id 1 is [EOS] and ids
/// 2.. are the alphabet's characters in ordinal order, so the same corpus always gives the same ids.
/// </summary>
internal sealed class CharTokenizer : TextTokenizer
{
    private readonly char[] _alphabet;
    private readonly Dictionary<char, int> _ids;

    /// <summary>A tokenizer over the characters that occur in <paramref name="texts"/>.</summary>
    public CharTokenizer(IEnumerable<string> texts)
    {
        _alphabet = texts.SelectMany(t => t).Distinct().Order().ToArray();
        _ids = _alphabet.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i + 2);
    }

    /// <summary>The characters, in id order (the first has id 2).</summary>
    public IReadOnlyList<char> Alphabet => _alphabet;

    public override int VocabSize => _alphabet.Length + 2;
    public override int Pad => 0;
    public override int EndOfText => 1;

    public override int[] Encode(string text)
    {
        var ids = new int[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            if (!_ids.TryGetValue(text[i], out ids[i]))
                throw new PluginInputException(
                    $"the character '{text[i]}' (U+{(int)text[i]:X4}) in \"{text}\" does not occur in the corpus, so the char tokenizer has no id for it; use characters from the corpus or tokenizer: gpt2");
        }
        return ids;
    }

    public override string Decode(IEnumerable<int> ids) =>
        new(ids.Where(id => id >= 2 && id < VocabSize).Select(id => _alphabet[id - 2]).ToArray());
}
