using Diffusion.Modalities.Text.Tokenizers;

namespace Diffusion.Plugins.Tests.Text;

public class TokenizerTests
{
    [Fact]
    public void Gpt2_bpe_works_offline_with_the_known_ids_and_round_trips()
    {
        var tokenizer = new Gpt2Tokenizer();
        var ids = tokenizer.Encode("Hello world");

        Assert.Equal([15496, 995], ids); // GPT-2's ids for "Hello" and " world"
        Assert.Equal("Hello world", tokenizer.Decode(ids));
        Assert.Equal(50258, tokenizer.VocabSize);
        Assert.Equal(50256, tokenizer.EndOfText);
        Assert.Equal(50257, tokenizer.Pad);
        string text = "Fortune favours the bold, 42 times -- über café!";
        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
    }

    [Fact]
    public void Compact_gpt2_keeps_only_corpus_tokens_and_round_trips()
    {
        string[] corpus = ["the cat sat on the mat.", "the dog sat."];
        var tokenizer = new Gpt2Tokenizer(corpus);
        var full = new Gpt2Tokenizer();
        int distinct = corpus.SelectMany(full.Encode).Distinct().Count();

        Assert.Equal(distinct + 2, tokenizer.VocabSize);
        Assert.Equal(0, tokenizer.Pad);
        Assert.Equal(1, tokenizer.EndOfText);
        foreach (var text in corpus)
        {
            var ids = tokenizer.Encode(text);
            Assert.All(ids, id => Assert.InRange(id, 2, tokenizer.VocabSize - 1));
            Assert.Equal(text, tokenizer.Decode(ids));
        }
        var error = Assert.Throws<PluginInputException>(() => tokenizer.Encode("zebra"));
        Assert.Contains("compact_vocab: false", error.Message);
    }

    [Fact]
    public void Char_tokenizer_numbers_the_corpus_alphabet_in_order_after_pad_and_eos()
    {
        var tokenizer = new CharTokenizer(["bca", "ab "]);

        Assert.Equal(" abc", new string([.. tokenizer.Alphabet]));
        Assert.Equal(6, tokenizer.VocabSize);
        Assert.Equal([3, 4, 5, 2, 3], tokenizer.Encode("abc a"));
        Assert.Equal("abc a", tokenizer.Decode([3, 4, 5, 2, 3]));
        Assert.Equal("ab", tokenizer.Decode([3, 0, 1, 4])); // [PAD] and [EOS] are not text
        Assert.Equal("[PAD]", tokenizer.Describe(0));
        var error = Assert.Throws<PluginInputException>(() => tokenizer.Encode("abz"));
        Assert.Contains("'z'", error.Message);
    }

    [Fact]
    public void Padding_puts_eos_then_pads_and_cuts_long_entries()
    {
        var rows = SequencePacking.Build([[5, 6], [7, 8, 9, 10, 11], [4, 4, 4]], 4, pad: 0, endOfText: 1, Packing.Pad);

        Assert.Equal([5L, 6, 1, 0], rows[0]);
        Assert.Equal([7L, 8, 9, 10], rows[1]); // cut: no room for [EOS]
        Assert.Equal([4L, 4, 4, 1], rows[2]);
    }

    [Fact]
    public void Packing_joins_entries_with_eos_and_pads_only_the_last_row()
    {
        var rows = SequencePacking.Build([[5, 6], [7, 8, 9], [4]], 3, pad: 0, endOfText: 1, Packing.Pack);

        // stream: 5 6 1 7 8 9 1 4 1
        Assert.Equal(3, rows.Count);
        Assert.Equal([5L, 6, 1], rows[0]);
        Assert.Equal([7L, 8, 9], rows[1]);
        Assert.Equal([1L, 4, 1], rows[2]);
        var padded = SequencePacking.Build([[5, 6]], 4, pad: 0, endOfText: 1, Packing.Pack);
        Assert.Equal([5L, 6, 1, 0], Assert.Single(padded));
    }
}
