using System.Security.Cryptography;
using System.Text;
using Diffusion.Modalities.Image.Png;
using SkiaSharp;

namespace Diffusion.Modalities.Image.Datasets;

/// <summary>
/// PNG, JPEG and WebP files under a folder, decoded with SkiaSharp. Each sub-folder is a class (its name the class name, in
/// ordinal order, files anywhere below it); a folder without sub-folders of images is one unlabelled set. Images are
/// centre-cropped to a square, resized to the configured side (bilinear, antialiased when shrinking), made grey
/// (BT.601 luma) or RGB, transparent pixels composited over black, and scaled to [−1, 1].
/// The test split is, in each class, the files whose name hash ranks lowest: stable when files are added elsewhere,
/// and independent of the run seed.
/// </summary>
internal static class ImageFolderDataset
{
    private static IReadOnlyList<string> Extensions => ImageCodec.Extensions;

    /// <summary>The files of a folder split into train and test, with their labels.</summary>
    public sealed record Listing(IReadOnlyList<string>? ClassNames, IReadOnlyList<(string Path, int Label)> Train, IReadOnlyList<(string Path, int Label)> Test)
    {
        /// <summary>The files of <paramref name="split"/>.</summary>
        public IReadOnlyList<(string Path, int Label)> Of(DataSplit split) => split == DataSplit.Train ? Train : Test;
    }

    /// <summary>Lists and splits the images under <paramref name="folder"/>.</summary>
    public static Listing List(string folder, double testFraction)
    {
        if (!Directory.Exists(folder))
            throw new PluginInputException(
                $"image folder {folder} does not exist: set `path:` to a folder of PNG/JPEG/WebP images, with one sub-folder per class");
        var rootImages = Images(folder, SearchOption.TopDirectoryOnly);
        var classes = Directory.GetDirectories(folder)
            .Order(StringComparer.Ordinal)
            .Select(dir => (Name: System.IO.Path.GetFileName(dir), Files: Images(dir, SearchOption.AllDirectories)))
            .Where(c => c.Files.Count > 0)
            .ToList();
        if (classes.Count > 0 && rootImages.Count > 0)
            throw new PluginInputException(
                $"{rootImages[0]}: this image lies beside the class sub-folders ({string.Join(", ", classes.Select(c => c.Name))}); " +
                "move it into the sub-folder of its class, or move all images out of sub-folders for an unlabelled set");
        if (classes.Count == 0 && rootImages.Count == 0)
            throw new PluginInputException(
                $"no images under {folder}: expected files ending in {string.Join(", ", Extensions)}, in one sub-folder per class (or directly in the folder, unlabelled)");

        var sets = classes.Count > 0 ? classes.Select(c => c.Files).ToList() : [rootImages];
        var train = new List<(string, int)>();
        var test = new List<(string, int)>();
        for (int label = 0; label < sets.Count; label++)
        {
            var files = sets[label];
            int held = HeldOut(files.Count, testFraction);
            var byHash = files.OrderBy(f => NameHash(System.IO.Path.GetRelativePath(folder, f))).ThenBy(f => f, StringComparer.Ordinal).ToList();
            var heldOut = byHash.Take(held).ToHashSet(StringComparer.Ordinal);
            foreach (var file in files)
                (heldOut.Contains(file) ? test : train).Add((file, label));
        }
        return new Listing(classes.Count > 0 ? classes.Select(c => c.Name).ToList() : null, train, test);
    }

    /// <summary>Items held out of a class of <paramref name="count"/> files: the fraction, rounded, at least one when there are two or more.</summary>
    public static int HeldOut(int count, double fraction)
    {
        if (fraction <= 0 || count < 2) return 0;
        return Math.Clamp((int)Math.Round(fraction * count), 1, count - 1);
    }

    /// <summary>Loads a split as [N, C, S, S] in [−1, 1], with labels when the folder has class sub-folders.</summary>
    public static ModalityData Load(Listing listing, DataSplit split, int size, int channels, int limit)
    {
        var files = listing.Of(split);
        if (files.Count == 0)
            throw new PluginInputException(split == DataSplit.Test
                ? $"the image folder's test split is empty ({listing.Train.Count} training images): raise test_fraction or add images (a class needs 2 images to give one to the test split)"
                : "the image folder's training split is empty: add images or lower test_fraction");
        int n = limit > 0 ? Math.Min(limit, files.Count) : files.Count;
        using var scope = NewDisposeScope();
        var items = new Tensor[n];
        for (int i = 0; i < n; i++)
            items[i] = Decode(files[i].Path, size, channels);
        var all = cat(items).contiguous();
        var labels = listing.ClassNames is null ? null : tensor(files.Take(n).Select(f => (long)f.Label).ToArray(), dtype: ScalarType.Int64);
        return new ModalityData(scope.MoveToOuter(all), labels is null ? null : scope.MoveToOuter(labels), listing.ClassNames);
    }

    /// <summary>One file as [1, C, S, S] in [−1, 1].</summary>
    public static Tensor Decode(string path, int size, int channels)
    {
        using var codec = SKCodec.Create(path)
            ?? throw new PluginInputException($"{path}: cannot decode the image: it is not a valid PNG, JPEG or WebP file; replace or remove it");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
            throw new PluginInputException($"{path}: cannot decode the image ({result}); replace or remove it");

        int width = info.Width, height = info.Height;
        using var scope = NewDisposeScope();
        var rgba = tensor(bitmap.Bytes, [height, width, 4], dtype: ScalarType.Byte);
        var rgb = rgba[.., .., ..3].permute(2, 0, 1).to_type(ScalarType.Float32) / 255f;
        var pixels = channels == 1
            ? (rgb[0] * 0.299f + rgb[1] * 0.587f + rgb[2] * 0.114f).unsqueeze(0)
            : rgb;
        int side = Math.Min(width, height);
        pixels = pixels.narrow(1, (height - side) / 2, side).narrow(2, (width - side) / 2, side).unsqueeze(0);
        if (side != size)
            pixels = nn.functional.interpolate(pixels, size: [size, size], mode: InterpolationMode.Bilinear, align_corners: false,
                antialias: side > size);
        return scope.MoveToOuter((pixels * 2 - 1).clamp(-1, 1).contiguous());
    }

    private static List<string> Images(string folder, SearchOption depth) =>
        Directory.EnumerateFiles(folder, "*", depth)
            .Where(f => Extensions.Contains(System.IO.Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static ulong NameHash(string relativePath) =>
        BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(relativePath.Replace('\\', '/'))), 0);
}
