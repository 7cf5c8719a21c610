using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Diffusion.Modalities.Image;

namespace Diffusion.Plugins.Tests.Modalities;

public class ImageDatasetTests
{
    [Fact]
    public void Shapes_are_deterministic_in_range_and_have_three_balanced_classes()
    {
        var modality = new ImageModality(new ImageModalityOptions { Count = 120 });
        using var first = modality.Load(DataSplit.Train);
        using var again = modality.Load(DataSplit.Train);

        Assert.Equal(new long[] { 120, 1, 16, 16 }, first.Items.shape);
        Assert.Equal(ScalarType.Float32, first.Items.dtype);
        Assert.Equal(ScalarType.Int64, first.Labels!.dtype);
        Assert.True(first.Items.allclose(again.Items, rtol: 0, atol: 0));
        Assert.True(first.Labels.allclose(again.Labels!, rtol: 0, atol: 0));
        Assert.True(first.Items.min().item<float>() >= -1f && first.Items.max().item<float>() <= 1f);
        Assert.Equal(new[] { "circle", "square", "triangle" }, first.ClassNames);
        Assert.Equal(new long[] { 40, 40, 40 }, first.Labels.bincount(null).data<long>().ToArray());
        Assert.Equal(new long[] { 1, 16, 16 }, modality.Spec.ItemShape);
        Assert.Equal(3, modality.Spec.NumClasses);
    }

    [Fact]
    public void Every_shape_image_has_a_black_background_and_a_bright_shape()
    {
        using var data = new ImageModality(new ImageModalityOptions { Count = 60 }).Load(DataSplit.Train);
        var flat = data.Items.flatten(1);

        Assert.True((flat.amin(1) == -1f).all().item<bool>(), "some background pixel is black");
        Assert.True((flat.amax(1) > 0.1f).all().item<bool>(), "some shape pixel is bright");
        // Covered area between ~6% and ~50% of the 16x16 picture.
        var covered = (flat > 0).to_type(ScalarType.Float32).mean([1]);
        Assert.InRange(covered.min().item<float>(), 0.06f, 0.5f);
        Assert.InRange(covered.max().item<float>(), 0.06f, 0.5f);
    }

    [Fact]
    public void Shape_classes_differ_in_how_they_fill_their_bounding_box()
    {
        // Squares fill their box, circles ~79%, triangles ~50%: a crude check that the classes are what they say.
        using var data = new ImageModality(new ImageModalityOptions { Count = 300, ImageSize = 32 }).Load(DataSplit.Train);
        var fill = new double[3];
        for (int i = 0; i < 300; i++)
        {
            var mask = data.Items[i, 0] > 0;
            var rows = mask.any(1).nonzero().flatten();
            var cols = mask.any(0).nonzero().flatten();
            double box = (rows.max() - rows.min() + 1).item<long>() * (double)(cols.max() - cols.min() + 1).item<long>();
            fill[i % 3] += mask.sum().item<long>() / box / 100;
        }
        Assert.True(fill[1] > fill[0] && fill[0] > fill[2], $"fill ratios circle {fill[0]:F2}, square {fill[1]:F2}, triangle {fill[2]:F2}");
    }

    [Fact]
    public void Shapes_test_split_is_a_quarter_from_another_stream_and_limit_caps_both()
    {
        var modality = new ImageModality(new ImageModalityOptions { Count = 40 });
        using var train = modality.Load(DataSplit.Train);
        using var test = modality.Load(DataSplit.Test);
        using var limited = new ImageModality(new ImageModalityOptions { Count = 40, Limit = 7 }).Load(DataSplit.Train);

        Assert.Equal(10, test.Count);
        Assert.False(train.Items[..10].allclose(test.Items));
        Assert.Equal(7, limited.Count);
        Assert.True(limited.Items.allclose(train.Items[..7], rtol: 0, atol: 0));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Fashion_mnist_reads_raw_and_gzipped_idx_files(bool gzip)
    {
        using var folder = new TempFolder();
        IdxFiles.WriteFashionMnist(folder.Path, count: 6, side: 4, gzip);
        var modality = new ImageModality(new ImageModalityOptions { Dataset = ImageDataset.FashionMnist, Path = folder.Path, ImageSize = 4 });

        using var data = modality.Load(DataSplit.Train);

        Assert.Equal(new long[] { 6, 1, 4, 4 }, data.Items.shape);
        var expected = IdxFiles.Pixels(6, 4).Select(b => b / 127.5f - 1f).ToArray();
        Assert.Equal(expected, data.Items.data<float>().ToArray(), new FloatTolerance(1e-6f));
        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 5 }, data.Labels!.data<long>().ToArray());
        Assert.Equal("Ankle boot", data.ClassNames![9]);
        Assert.Equal(10, modality.Spec.NumClasses);
    }

    [Fact]
    public void Fashion_mnist_is_resized_bilinearly_and_limited()
    {
        using var folder = new TempFolder();
        IdxFiles.WriteFashionMnist(folder.Path, count: 5, side: 28, gzip: true);
        var modality = new ImageModality(new ImageModalityOptions
        {
            Dataset = ImageDataset.FashionMnist, Path = folder.Path, ImageSize = 14, Limit = 3,
        });

        using var data = modality.Load(DataSplit.Test);

        Assert.Equal(new long[] { 3, 1, 14, 14 }, data.Items.shape);
        // Halving with bilinear interpolation (no corner alignment) averages each 2x2 block.
        var source = IdxFiles.Pixels(1, 28);
        float topLeft = (source[0] + source[1] + source[28] + source[29]) / 4f / 127.5f - 1f;
        Assert.Equal(topLeft, data.Items[0, 0, 0, 0].item<float>(), 1e-5f);
        Assert.True(data.Items.min().item<float>() >= -1f && data.Items.max().item<float>() <= 1f);
    }

    [Fact]
    public void Missing_fashion_mnist_says_how_to_install_it()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-such-fashion-mnist-" + Guid.NewGuid());
        var modality = new ImageModality(new ImageModalityOptions { Dataset = ImageDataset.FashionMnist, Path = missing });

        var error = Assert.Throws<PluginInputException>(() => modality.Load(DataSplit.Train));

        Assert.StartsWith($"Fashion-MNIST not found at {missing}: install it with `sudo apt-get install dataset-fashion-mnist`", error.Message);
        Assert.Contains("set `path:`", error.Message);
        Assert.Contains("train-images-idx3-ubyte(.gz)", error.Message);
    }

    [Fact]
    public void Bad_magic_number_names_the_file()
    {
        using var folder = new TempFolder();
        IdxFiles.WriteFashionMnist(folder.Path, count: 4, side: 4, gzip: false);
        string images = Path.Combine(folder.Path, "train-images-idx3-ubyte");
        IdxFiles.Write(images, [4, 4, 4], IdxFiles.Pixels(4, 4), gzip: false, type: 0x0D); // float elements
        var modality = new ImageModality(new ImageModalityOptions { Dataset = ImageDataset.FashionMnist, Path = folder.Path, ImageSize = 4 });

        var error = Assert.Throws<PluginInputException>(() => modality.Load(DataSplit.Train));

        Assert.Contains(images, error.Message);
        Assert.Contains("magic", error.Message);
    }

    [Fact]
    public void Truncated_corrupt_or_mismatched_files_name_the_file_and_the_problem()
    {
        using var folder = new TempFolder();
        IdxFiles.WriteFashionMnist(folder.Path, count: 4, side: 4, gzip: false);
        var modality = new ImageModality(new ImageModalityOptions { Dataset = ImageDataset.FashionMnist, Path = folder.Path, ImageSize = 4 });
        string images = Path.Combine(folder.Path, "t10k-images-idx3-ubyte");
        string labels = Path.Combine(folder.Path, "t10k-labels-idx1-ubyte");

        IdxFiles.Write(images, [4, 4, 4], IdxFiles.Pixels(3, 4), gzip: false);
        var truncated = Assert.Throws<PluginInputException>(() => modality.Load(DataSplit.Test));
        Assert.Contains(images, truncated.Message);
        Assert.Contains("truncated", truncated.Message);

        IdxFiles.Write(images, [4, 4, 4], IdxFiles.Pixels(4, 4), gzip: false);
        IdxFiles.Write(labels, [3], IdxFiles.Labels(3), gzip: false);
        var mismatch = Assert.Throws<PluginInputException>(() => modality.Load(DataSplit.Test));
        Assert.Contains("3 labels", mismatch.Message);

        File.Delete(labels);
        File.WriteAllBytes(labels + ".gz", [0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        var corrupt = Assert.Throws<PluginInputException>(() => modality.Load(DataSplit.Test));
        Assert.Contains(labels + ".gz", corrupt.Message);
    }

    [Fact]
    public void Installed_fashion_mnist_loads_when_present()
    {
        const string installed = "/usr/share/datasets/fashion-mnist";
        if (!File.Exists(Path.Combine(installed, "t10k-images-idx3-ubyte.gz"))) return; // optional: only where installed
        using var data = new ImageModality(new ImageModalityOptions { Dataset = ImageDataset.FashionMnist, Limit = 50 }).Load(DataSplit.Test);

        Assert.Equal(new long[] { 50, 1, 16, 16 }, data.Items.shape);
        Assert.InRange(data.Labels!.max().item<long>(), 1, 9);
    }

    [Fact]
    public void Options_have_the_documented_yaml_names_and_validation()
    {
        var plugin = typeof(ImageModality).GetCustomAttribute<PluginAttribute>()!;
        Assert.Equal((PluginKind.Modality, "image", typeof(ImageModalityOptions)), (plugin.Kind, plugin.Name, plugin.Options));
        Assert.Equal("fashion-mnist", OptionNames.EnumValueName(ImageDataset.FashionMnist));
        Assert.Equal("shapes", OptionNames.EnumValueName(ImageDataset.Shapes));
        Assert.Equal("image-folder", OptionNames.EnumValueName(ImageDataset.ImageFolder));
        Assert.Equal(
            ["channels", "classifier_cache", "classifier_epochs", "count", "dataset", "horizontal_flip", "image_size", "kid_subset_size",
             "kid_subsets", "limit", "memorization_ratio", "metrics", "nearest_k", "path", "test_fraction"],
            typeof(ImageModalityOptions).GetProperties().Select(OptionNames.KeyOf).Order().ToArray());

        var good = new ImageModalityOptions();
        Assert.True(Validator.TryValidateObject(good, new ValidationContext(good), [], validateAllProperties: true));
        var bad = new ImageModalityOptions { Metrics = ["fid"] };
        var results = new List<ValidationResult>();
        Assert.False(Validator.TryValidateObject(bad, new ValidationContext(bad), results, validateAllProperties: true));
        Assert.Contains("fd-pixels", results[0].ErrorMessage);
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
