using Diffusion.Modalities.CrossModal.Captions;
using Diffusion.Modalities.CrossModal.TextToImage;

namespace Diffusion.Plugins.Tests.TextToImage;

public class CaptionTokenizerTests
{
    private static readonly string[] Captions = ["a large red circle at the top left", "a small blue square in the center", "a photo of an ankle boot"];

    [Theory]
    [InlineData(CaptionTokenizerKind.Gpt2)]
    [InlineData(CaptionTokenizerKind.Char)]
    public void Captions_round_trip_through_padded_rows_with_ids_fixed_by_the_vocabulary(CaptionTokenizerKind kind)
    {
        var tokenizer = new CaptionTokenizer(kind, Captions, 40);
        var shuffled = new CaptionTokenizer(kind, Captions.Reverse().Concat(Captions), 40);
        foreach (var caption in Captions)
        {
            var row = tokenizer.EncodeRow(caption);
            Assert.Equal(40, row.Length);
            Assert.Equal(caption, tokenizer.Decode(row));
            Assert.Equal(row, shuffled.EncodeRow(caption));
            int used = Array.IndexOf(row, 0L);
            Assert.True(used > 0 && row.Skip(used).All(id => id == 0), "tokens first, then padding");
            Assert.All(row, id => Assert.InRange(id, 0, tokenizer.VocabSize - 1));
        }
        Assert.Equal(tokenizer.EncodeRow("a small blue square in the center"), tokenizer.EncodeRow("  A Small  BLUE square in the center "));
        // Compact: far fewer ids than GPT-2's 50k.
        Assert.InRange(tokenizer.VocabSize, 5, 60);
    }

    [Fact]
    public void An_unknown_word_is_named_with_the_words_the_vocabulary_has()
    {
        var tokenizer = new CaptionTokenizer(CaptionTokenizerKind.Gpt2, Captions, 16);
        var error = Assert.Throws<PluginInputException>(() => tokenizer.EncodeRow("a large purple circle at the top left"));
        Assert.Contains("'purple'", error.Message, StringComparison.Ordinal);
        Assert.Contains("ankle, at, blue, boot, center", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'large'", error.Message, StringComparison.Ordinal);

        var chars = new CaptionTokenizer(CaptionTokenizerKind.Char, Captions, 64);
        Assert.Contains("'zebra'", Assert.Throws<PluginInputException>(() => chars.EncodeRow("a zebra")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_prompt_longer_than_the_caption_length_says_what_length_it_needs()
    {
        var tokenizer = new CaptionTokenizer(CaptionTokenizerKind.Gpt2, Captions, 4);
        var error = Assert.Throws<PluginInputException>(() => tokenizer.EncodeRow("a large red circle at the top left"));
        Assert.Contains("caption_length to at least 8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_modality_gives_caption_tokens_and_texts_and_sizes_the_spec_from_them()
    {
        var modality = new CaptionedImageModality(new CaptionedImageOptions { Count = 30 });
        using var data = modality.Load(DataSplit.Train);
        var spec = modality.Spec;

        Assert.Equal(new long[] { 3, 16, 16 }, spec.ItemShape);
        Assert.Equal(120, spec.NumClasses);
        Assert.Equal(16, spec.ConditionLength);
        Assert.Equal(new long[] { 30, 16 }, data.ConditionTokens!.shape);
        Assert.Equal(30, data.ConditionTexts!.Count);
        Assert.Equal(modality.Tokenizer.VocabSize, spec.ConditionVocabSize);
        for (int i = 0; i < 30; i++)
            Assert.Equal(data.ConditionTexts[i], modality.Tokenizer.Decode(data.ConditionTokens[i].data<long>().ToArray()));
        using var prompts = modality.EncodePrompts([modality.ClassPrompt(7), data.ConditionTexts[3]]);
        Assert.True(prompts[1].equal(data.ConditionTokens[3]).all().item<bool>());
        Assert.Equal(CaptionedShapes.Caption(7), modality.ClassPrompt(7));

        var tooShort = new CaptionedImageModality(new CaptionedImageOptions { Count = 30, CaptionLength = 5 });
        Assert.Contains("caption_length to at least", Assert.Throws<PluginInputException>(() => tooShort.Spec).Message, StringComparison.Ordinal);
    }
}
