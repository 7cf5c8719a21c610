using System.ComponentModel.DataAnnotations;
using Diffusion.Modalities.Image;
using Diffusion.Modalities.Image.Png;
using SkiaSharp;

namespace Diffusion.Plugins.Tests.Modalities;

public class ImageFolderTests
{
    /// <summary>Writes a PNG with the image plugin's writer.</summary>
    private static void WritePng(string path, int width, int height, int channels, Func<int, int, int, byte> pixel)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = new byte[width * height * channels];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < channels; c++)
                    bytes[(y * width + x) * channels + c] = pixel(x, y, c);
        using var file = File.Create(path);
        ImageCodec.WritePng(file, width, height, channels, bytes);
    }

    private static void WriteUniform(string path, byte value) => WritePng(path, 4, 4, 1, (_, _, _) => value);

    /// <summary>A folder with classes "cat" (n files) and "dog" (m files), each image one flat grey.</summary>
    private static void WriteClasses(string root, int cats, int dogs)
    {
        for (int i = 0; i < cats; i++) WriteUniform(Path.Combine(root, "cat", $"c{i:00}.png"), (byte)(i * 10));
        for (int i = 0; i < dogs; i++) WriteUniform(Path.Combine(root, "dog", "sub", $"d{i:00}.PNG"), (byte)(200 + i));
    }

    private static ImageModality Folder(string path, int size = 4, int channels = 1, double testFraction = 0.25, bool flip = false) =>
        new(new ImageModalityOptions
        {
            Dataset = ImageDataset.ImageFolder, Path = path, ImageSize = size, Channels = channels, TestFraction = testFraction, HorizontalFlip = flip,
        });

    [Fact]
    public void Labels_come_from_sub_folder_names_in_ordinal_order()
    {
        using var folder = new TempFolder();
        WriteClasses(folder.Path, cats: 8, dogs: 4);
        var modality = Folder(folder.Path);

        using var train = modality.Load(DataSplit.Train);
        using var test = modality.Load(DataSplit.Test);

        Assert.Equal(["cat", "dog"], train.ClassNames);
        Assert.Equal(2, modality.Spec.NumClasses);
        Assert.Equal(new long[] { 1, 4, 4 }, modality.Spec.ItemShape);
        // 25% of each class is held out: 2 of 8 cats, 1 of 4 dogs.
        Assert.Equal(new long[] { 6, 3 }, train.Labels!.bincount(null).data<long>().ToArray());
        Assert.Equal(new long[] { 2, 1 }, test.Labels!.bincount(null).data<long>().ToArray());
        // Every dog is brighter than every cat: the labels travel with their images.
        var dogs = train.Items[train.Labels == 1];
        var cats = train.Items[train.Labels == 0];
        Assert.True(dogs.min().item<float>() > cats.max().item<float>());
    }

    [Fact]
    public void The_split_is_deterministic_disjoint_and_stable_when_other_classes_change()
    {
        using var folder = new TempFolder();
        WriteClasses(folder.Path, cats: 10, dogs: 10);
        static float[] Values(ModalityData d) => d.Items.mean([1, 2, 3]).data<float>().ToArray();

        float[] test1, test2, train1;
        using (var t = Folder(folder.Path, testFraction: 0.3).Load(DataSplit.Test)) test1 = Values(t);
        using (var t = Folder(folder.Path, testFraction: 0.3).Load(DataSplit.Test)) test2 = Values(t);
        using (var t = Folder(folder.Path, testFraction: 0.3).Load(DataSplit.Train)) train1 = Values(t);
        Assert.Equal(test1, test2);
        Assert.Equal(6, test1.Length);
        Assert.Empty(test1.Intersect(train1)); // every image has its own grey, so equal values mean the same file
        Assert.Equal(20, test1.Length + train1.Length);

        // More dogs do not move any cat between the splits.
        for (int i = 10; i < 14; i++) WriteUniform(Path.Combine(folder.Path, "dog", "sub", $"d{i:00}.png"), (byte)(200 + i));
        using var after = Folder(folder.Path, testFraction: 0.3).Load(DataSplit.Test);
        var catsBefore = test1.Where(v => v < 0.5f).Order().ToArray();
        var catsAfter = after.Items[after.Labels! == 0].mean([1, 2, 3]).data<float>().ToArray().Order().ToArray();
        Assert.Equal(catsBefore, catsAfter);
    }

    [Fact]
    public void Grey_and_rgb_images_are_scaled_to_minus_one_one()
    {
        using var folder = new TempFolder();
        // Pure red, as RGB; as grey it is BT.601 luma 0.299.
        WritePng(Path.Combine(folder.Path, "red.png"), 4, 4, 3, (_, _, c) => c == 0 ? (byte)255 : (byte)0);
        WritePng(Path.Combine(folder.Path, "white.png"), 4, 4, 3, (_, _, _) => 255);

        using var rgb = Folder(folder.Path, channels: 3, testFraction: 0).Load(DataSplit.Train);
        using var grey = Folder(folder.Path, channels: 1, testFraction: 0).Load(DataSplit.Train);

        Assert.Null(rgb.Labels);
        Assert.Null(rgb.ClassNames);
        Assert.Equal(new long[] { 2, 3, 4, 4 }, rgb.Items.shape);
        Assert.Equal(new[] { 1f, -1f, -1f }, rgb.Items[0, .., 0, 0].data<float>().ToArray()); // red.png sorts first
        Assert.Equal(0.299f * 2 - 1, grey.Items[0, 0, 0, 0].item<float>(), 1e-2f);
        Assert.Equal(1f, grey.Items[1].min().item<float>(), 1e-5f);
    }

    [Fact]
    public void Images_are_centre_cropped_and_resized()
    {
        using var folder = new TempFolder();
        // 12x8, black 2-pixel strips at both sides around a white 8x8 centre: the crop keeps only white.
        WritePng(Path.Combine(folder.Path, "a-wide.png"), 12, 8, 1, (x, _, _) => x < 2 || x >= 10 ? (byte)0 : (byte)255);
        // 8x8, left half white, right half black.
        WritePng(Path.Combine(folder.Path, "b-half.png"), 8, 8, 1, (x, _, _) => x < 4 ? (byte)255 : (byte)0);

        using var data = Folder(folder.Path, size: 4, testFraction: 0).Load(DataSplit.Train);

        Assert.Equal(new long[] { 2, 1, 4, 4 }, data.Items.shape);
        Assert.Equal(1f, data.Items[0].min().item<float>(), 1e-5f);
        var row = data.Items[1, 0, 1].data<float>().ToArray();
        Assert.Equal(1f, row[0], 1e-5f);
        Assert.Equal(-1f, row[3], 1e-5f);
        Assert.True(row[1] > row[2], $"shrinking keeps left bright and right dark: {string.Join(", ", row)}");
        Assert.Equal(data.Items[1, 0, 0].data<float>().ToArray(), row); // every row alike
    }

    [Fact]
    public void Jpeg_files_decode_through_skia()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(Path.Combine(folder.Path, "a"));
        using (var bitmap = new SKBitmap(new SKImageInfo(8, 8, SKColorType.Rgba8888, SKAlphaType.Premul)))
        {
            bitmap.Erase(new SKColor(255, 255, 255));
            using var image = SKImage.FromBitmap(bitmap);
            using var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, 95);
            File.WriteAllBytes(Path.Combine(folder.Path, "a", "white.jpg"), jpeg.ToArray());
        }
        WriteUniform(Path.Combine(folder.Path, "b", "black.png"), 0);

        using var data = Folder(folder.Path, size: 8, testFraction: 0).Load(DataSplit.Train);

        Assert.Equal(new long[] { 0, 1 }, data.Labels!.data<long>().ToArray());
        Assert.True(data.Items[0].min().item<float>() > 0.95f, "white JPEG");
        Assert.Equal(-1f, data.Items[1].max().item<float>());
    }

    [Fact]
    public void Horizontal_flip_appends_mirrored_training_copies_only()
    {
        using var folder = new TempFolder();
        WritePng(Path.Combine(folder.Path, "x", "left.png"), 4, 4, 1, (x, _, _) => x == 0 ? (byte)255 : (byte)0);
        WritePng(Path.Combine(folder.Path, "x", "top.png"), 4, 4, 1, (_, y, _) => y == 0 ? (byte)255 : (byte)0);
        WriteUniform(Path.Combine(folder.Path, "y", "a.png"), 10);
        WriteUniform(Path.Combine(folder.Path, "y", "b.png"), 20);

        using var plain = Folder(folder.Path, testFraction: 0.5).Load(DataSplit.Train);
        using var flipped = Folder(folder.Path, testFraction: 0.5, flip: true).Load(DataSplit.Train);
        using var again = Folder(folder.Path, testFraction: 0.5, flip: true).Load(DataSplit.Train);
        using var test = Folder(folder.Path, testFraction: 0.5, flip: true).Load(DataSplit.Test);

        Assert.Equal(2 * plain.Count, flipped.Count);
        Assert.True(flipped.Items[..(int)plain.Count].allclose(plain.Items, rtol: 0, atol: 0));
        Assert.True(flipped.Items[(int)plain.Count..].allclose(plain.Items.flip(3), rtol: 0, atol: 0));
        Assert.Equal(plain.Labels!.data<long>().ToArray().Concat(plain.Labels.data<long>().ToArray()), flipped.Labels!.data<long>().ToArray());
        Assert.True(flipped.Items.allclose(again.Items, rtol: 0, atol: 0));
        Assert.Equal(2, test.Count);
    }

    [Fact]
    public void A_missing_folder_says_so()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-such-images-" + Guid.NewGuid());
        var error = Assert.Throws<PluginInputException>(() => Folder(missing).Load(DataSplit.Train));
        Assert.Contains($"image folder {missing} does not exist", error.Message);
        Assert.Contains("path:", error.Message);
        // The spec (class count) needs the folder too, and says the same.
        Assert.Throws<PluginInputException>(() => Folder(missing).Spec);
    }

    [Fact]
    public void A_folder_without_images_says_which_files_it_wants()
    {
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, "notes.txt"), "not an image");
        Directory.CreateDirectory(Path.Combine(folder.Path, "empty-class"));

        var error = Assert.Throws<PluginInputException>(() => Folder(folder.Path).Load(DataSplit.Train));

        Assert.Contains($"no images under {folder.Path}", error.Message);
        Assert.Contains(".png, .jpg, .jpeg, .webp", error.Message);
    }

    [Fact]
    public void A_broken_image_is_named()
    {
        using var folder = new TempFolder();
        WriteUniform(Path.Combine(folder.Path, "a", "good.png"), 0);
        string bad = Path.Combine(folder.Path, "a", "broken.png");
        File.WriteAllBytes(bad, [1, 2, 3, 4, 5, 6, 7, 8]);

        var error = Assert.Throws<PluginInputException>(() => Folder(folder.Path, testFraction: 0).Load(DataSplit.Train));

        Assert.StartsWith(bad + ": cannot decode the image", error.Message);
    }

    [Fact]
    public void An_image_beside_class_folders_is_named()
    {
        using var folder = new TempFolder();
        WriteClasses(folder.Path, cats: 2, dogs: 2);
        string stray = Path.Combine(folder.Path, "stray.png");
        WriteUniform(stray, 0);

        var error = Assert.Throws<PluginInputException>(() => Folder(folder.Path).Load(DataSplit.Train));

        Assert.StartsWith(stray + ": this image lies beside the class sub-folders (cat, dog)", error.Message);
    }

    [Fact]
    public void An_empty_test_split_says_how_to_get_one()
    {
        using var folder = new TempFolder();
        WriteClasses(folder.Path, cats: 3, dogs: 3);

        var error = Assert.Throws<PluginInputException>(() => Folder(folder.Path, testFraction: 0).Load(DataSplit.Test));

        Assert.Contains("test split is empty", error.Message);
        Assert.Contains("test_fraction", error.Message);
    }

    [Fact]
    public void Options_require_a_path_for_image_folders_and_grey_for_the_other_datasets()
    {
        static List<string> Errors(ImageModalityOptions o)
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(o, new ValidationContext(o), results, validateAllProperties: true);
            return results.Select(r => r.ErrorMessage!).ToList();
        }

        Assert.Contains(Errors(new ImageModalityOptions { Dataset = ImageDataset.ImageFolder }), e => e.StartsWith("path must name the folder of images"));
        Assert.Contains(Errors(new ImageModalityOptions { Channels = 3 }), e => e.Contains("only image-folder can load 3 channels"));
        string folder = Path.GetTempPath();
        Assert.Contains(Errors(new ImageModalityOptions { Dataset = ImageDataset.ImageFolder, Path = folder, Channels = 2 }), e => e.Contains("1 (grey) or 3 (RGB)"));
        Assert.Empty(Errors(new ImageModalityOptions { Dataset = ImageDataset.ImageFolder, Path = folder, Channels = 3 }));
        // The folder is checked when the pipeline is bound (validate), not when training reaches it.
        Assert.Contains(Errors(new ImageModalityOptions { Dataset = ImageDataset.ImageFolder, Path = "no-such-folder" }), e => e.Contains("the folder 'no-such-folder'") && e.Contains("does not exist"));
        string file = Path.GetTempFileName();
        Assert.Contains(Errors(new ImageModalityOptions { Dataset = ImageDataset.ImageFolder, Path = file }), e => e.Contains("is a file; name the folder"));
        File.Delete(file);
        Assert.Empty(Errors(new ImageModalityOptions { Dataset = ImageDataset.FashionMnist }));
    }
}
