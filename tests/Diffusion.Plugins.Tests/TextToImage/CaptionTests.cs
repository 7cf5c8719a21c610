using Diffusion.Modalities.CrossModal.Captions;

namespace Diffusion.Plugins.Tests.TextToImage;

public class CaptionTests
{
    [Fact]
    public void Captioned_shapes_are_deterministic_rgb_and_captions_name_their_attributes()
    {
        var options = new CaptionedDataOptions { Count = 200 };
        using var first = CaptionedImages.Load(options, DataSplit.Train);
        using var again = CaptionedImages.Load(options, DataSplit.Train);
        using var test = CaptionedImages.Load(options, DataSplit.Test);

        Assert.Equal(new long[] { 200, 3, 16, 16 }, first.Images.shape);
        Assert.True(first.Images.equal(again.Images).all().item<bool>());
        Assert.Equal(first.Captions, again.Captions);
        Assert.Equal(50, test.Count);
        Assert.False(first.Images.narrow(0, 0, 50).equal(test.Images).all().item<bool>(), "the test split comes from another seed stream");
        Assert.True(first.Images.min().item<float>() >= -1f && first.Images.max().item<float>() <= 1f);
        Assert.Equal(120, first.ClassNames.Count);
        Assert.Equal(new[] { "shape", "colour", "size", "position" }, first.AttributeNames!.Select(a => a.Name));

        var labels = first.Labels.data<long>().ToArray();
        for (int i = 0; i < first.Count; i++)
        {
            var a = first.Attributes![i];
            string caption = first.Captions[i];
            Assert.Equal(i % 3, a[0]);
            Assert.Equal(caption, CaptionedShapes.Caption(a[0], a[1], a[2], a[3]));
            Assert.Equal(caption, first.ClassNames[(int)labels[i]]);
            Assert.Equal(a, CaptionedShapes.AttributesOf((int)labels[i]));
            foreach (var (attribute, value) in first.AttributeNames!.Zip(a))
                Assert.Contains(attribute.Values[value], caption, StringComparison.Ordinal);
        }
        Assert.Equal("a large red circle at the top left", CaptionedShapes.Caption(0, 0, 1, 0));
        Assert.Equal("a small blue triangle in the center", CaptionedShapes.Caption(2, 2, 0, 4));
        // Every attribute value occurs.
        for (int column = 1; column < 4; column++)
            Assert.Equal(first.AttributeNames![column].Values.Count, first.Attributes!.Select(a => a[column]).Distinct().Count());
    }

    [Theory]
    [InlineData(16)]
    [InlineData(28)]
    public void Colour_size_and_position_read_back_from_the_pixels_of_real_images(int size)
    {
        using var data = CaptionedImages.Load(new CaptionedDataOptions { Count = 300, ImageSize = size }, DataSplit.Train);
        var read = AttributeReader.Read(data.Images);
        for (int i = 0; i < data.Count; i++)
        {
            var a = data.Attributes![i];
            Assert.True((a[1], a[2], a[3]) == read[i], $"item {i} \"{data.Captions[i]}\" read as {read[i]}");
        }
    }

    [Fact]
    public void A_blank_image_reads_as_no_attribute_and_a_recoloured_shape_reads_its_new_colour()
    {
        using var data = CaptionedImages.Load(new CaptionedDataOptions { Count = 8 }, DataSplit.Train);
        using var blank = full(1, 3, 16, 16, -1f);
        Assert.Equal((-1, -1, -1), AttributeReader.Read(blank)[0]);
        // Swap channels of a red shape: its ink moves to green.
        int red = Array.FindIndex(data.Attributes!, a => a[1] == 0);
        Assert.True(red >= 0);
        using var swapped = data.Images.narrow(0, red, 1).index_select(1, tensor(new long[] { 1, 0, 2 }));
        Assert.Equal(1, AttributeReader.Read(swapped)[0].Colour);
    }

    [Fact]
    public void Class_prompts_use_the_templates_with_the_right_article_and_a_stable_choice_per_item()
    {
        Assert.Equal("a photo of an ankle boot", ClassPrompts.Format("a photo of a {name}", "Ankle boot"));
        Assert.Equal("a photo of a t-shirt", ClassPrompts.Format("a photo of a {name}", "T-shirt/top"));
        Assert.Equal("a picture of a bag", ClassPrompts.Format("a picture of an {name}", "Bag"));
        Assert.Equal("the red car", ClassPrompts.Format("the {name}", "Red_car"));

        var picks = Enumerable.Range(0, 500).Select(i => ClassPrompts.TemplateOf(i, false, 5)).ToArray();
        Assert.Equal(picks, Enumerable.Range(0, 500).Select(i => ClassPrompts.TemplateOf(i, false, 5)));
        Assert.All(Enumerable.Range(0, 5), t => Assert.InRange(picks.Count(p => p == t), 60, 140));
        Assert.NotEqual(picks, Enumerable.Range(0, 500).Select(i => ClassPrompts.TemplateOf(i, true, 5)));
    }

    [Fact]
    public void Fashion_mnist_items_get_prompts_from_their_class_names_when_the_dataset_is_installed()
    {
        if (!File.Exists("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz")) return;
        var options = new CaptionedDataOptions { Dataset = CaptionedDataset.FashionMnist, Limit = 50 };
        using var data = CaptionedImages.Load(options, DataSplit.Test);
        Assert.Equal(new long[] { 50, 1, 16, 16 }, data.Images.shape);
        var labels = data.Labels.data<long>().ToArray();
        for (int i = 0; i < data.Count; i++)
            Assert.Contains(ClassPrompts.PromptName(data.ClassNames[(int)labels[i]]), data.Captions[i], StringComparison.Ordinal);
        Assert.True(data.Captions.Distinct().Count() > 10);
        Assert.Equal("a photo of an ankle boot", CaptionedImages.ClassPrompt(options, data.ClassNames, 9));
    }
}
