using Diffusion.Modalities.CrossModal.Captions;
using Diffusion.Modalities.CrossModal.ImageToText;
using Diffusion.Modalities.Text;
using Diffusion.Plugins.Tests.Modalities;

namespace Diffusion.Plugins.Tests.ImageToText;

/// <summary>The image-caption modality: caption tokens that line up with their images, and its scores and artifacts.</summary>
public class ImageCaptionModalityTests
{
    private static ImageCaptionModality Shapes(Action<ImageCaptionOptions>? change = null)
    {
        var options = new ImageCaptionOptions { Dataset = CaptionedDataset.Shapes, ImageSize = 12, Count = 40 };
        change?.Invoke(options);
        return new ImageCaptionModality(options);
    }

    [Fact]
    public void Captioned_shapes_give_caption_tokens_with_their_images_and_labels_deterministically()
    {
        using var scope = NewDisposeScope();
        var modality = Shapes();
        var spec = modality.Spec;
        using var train = modality.Load(DataSplit.Train);
        using var again = Shapes().Load(DataSplit.Train);

        Assert.Equal("tokens", spec.Kind);
        Assert.Equal(new long[] { 3, 12, 12 }, spec.ConditionImageShape);
        Assert.Equal(120, spec.NumClasses);
        Assert.Equal(new long[] { 40, 12 }, train.Items.shape);
        Assert.Equal(ScalarType.Int64, train.Items.dtype);
        Assert.Equal(new long[] { 40, 3, 12, 12 }, train.ConditionImages!.shape);
        Assert.True(train.Items.lt(spec.VocabSize).all().item<bool>());
        for (int i = 0; i < 40; i++)
        {
            string caption = train.ConditionTexts![i];
            Assert.Equal(caption, modality.Vocabulary.Decode(train.Items[i].data<long>().ToArray()));
            Assert.Equal(CaptionedShapes.Caption((int)train.Labels![i].item<long>()), caption);
        }
        Assert.True(train.Items.eq(again.Items).all().item<bool>());
        Assert.True(train.ConditionImages.eq(again.ConditionImages!).all().item<bool>());
        Assert.Equal(spec.VocabSize, Shapes(o => o.Count = 8).Spec.VocabSize); // the vocabulary does not depend on the items
    }

    [Fact]
    public void A_caption_longer_than_a_row_names_the_length_it_needs()
    {
        var error = Assert.Throws<PluginInputException>(() => Shapes(o => { o.SeqLen = 4; o.Tokenizer = TextTokenizerKind.Char; }).Spec);
        Assert.Contains("seq_len to at least", error.Message);
    }

    [Fact]
    public void Fashion_mnist_captions_are_the_class_names()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        IdxFiles.WriteFashionMnist(folder.Path, count: 10, side: 28, gzip: true);
        var modality = new ImageCaptionModality(new ImageCaptionOptions
        {
            Dataset = CaptionedDataset.FashionMnist, Path = folder.Path, ImageSize = 28, Tokenizer = TextTokenizerKind.Char, SeqLen = 12,
        });
        using var test = modality.Load(DataSplit.Test);

        Assert.Equal(new long[] { 1, 28, 28 }, modality.Spec.ConditionImageShape);
        Assert.Equal(["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"], test.ConditionTexts);
        Assert.Equal("ankle boot", modality.Vocabulary.Decode(test.Items[9].data<long>().ToArray()));
    }

    [Fact]
    public void Captions_are_scored_against_the_images_they_were_drawn_for_and_written_beside_them()
    {
        using var scope = NewDisposeScope();
        var modality = Shapes();
        using var test = modality.Load(DataSplit.Test); // 10 items
        using var run = new FakeRunContext();
        var vocabulary = modality.Vocabulary;
        // Samples 0..3 caption test items 3, 1, 0, 2: right, right, one wrong colour, another item's caption.
        long[] items = [3, 1, 0, 2];
        string[] truth = [.. items.Select(i => test.ConditionTexts![(int)i])];
        string wrongColour = ReplaceColour(truth[2]);
        string other = test.ConditionTexts!.First(c => c != truth[3]);
        string[] generated = [truth[0], truth[1], wrongColour, other];
        var samples = tensor(vocabulary.Rows(generated).SelectMany(r => r).ToArray(), [4, 12], dtype: ScalarType.Int64);
        run.State.Samples = new GeneratedSamples(samples, ConditionItems: tensor(items, dtype: ScalarType.Int64));

        var metrics = modality.Evaluate(samples, test, run);
        modality.WriteSamples(samples, "sample", run);

        Assert.Equal(0.5, metrics[CaptionMetrics.CaptionAccuracy]);
        Assert.Equal(0.5, metrics[CaptionMetrics.ClassAccuracy]);
        Assert.Equal(1.0, metrics[CaptionMetrics.ValidCaptions]);
        Assert.InRange(metrics["colour-accuracy"], 0.5, 0.75); // the fourth caption may share its image's colour
        Assert.InRange(metrics[CaptionMetrics.TokenAccuracy], 0.5, 0.99);
        string text = File.ReadAllText(Path.Combine(run.Artifacts.Root, "sample.txt"));
        Assert.Equal(generated, text.TrimEnd('\n').Split("\n%\n"));
        var table = File.ReadAllLines(Path.Combine(run.Artifacts.Root, "sample-captions.tsv"));
        Assert.Equal($"2\t0\t{wrongColour}\t{truth[2]}", table[3]);
        Assert.True(File.Exists(Path.Combine(run.Artifacts.Root, "sample-conditions.png")));
    }

    [Fact]
    public void Captions_drawn_without_images_get_only_the_validity_score()
    {
        using var scope = NewDisposeScope();
        var modality = Shapes();
        using var test = modality.Load(DataSplit.Test);
        using var run = new FakeRunContext();
        var samples = tensor(modality.Vocabulary.Rows([test.ConditionTexts![0], "a circle circle"]).SelectMany(r => r).ToArray(), [2, 12], dtype: ScalarType.Int64);

        var metrics = modality.Evaluate(samples, test, run);

        Assert.Equal(0.5, metrics[CaptionMetrics.ValidCaptions]);
        Assert.DoesNotContain(CaptionMetrics.CaptionAccuracy, metrics.Keys);
    }

    private static string ReplaceColour(string caption) =>
        CaptionedShapes.Colours.Where(c => caption.Contains($" {c} ", StringComparison.Ordinal))
            .Select(c => caption.Replace($" {c} ", c == "red" ? " blue " : " red ", StringComparison.Ordinal)).First();
}
