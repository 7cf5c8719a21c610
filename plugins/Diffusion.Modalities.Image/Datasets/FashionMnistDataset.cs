namespace Diffusion.Modalities.Image.Datasets;

/// <summary>Fashion-MNIST from its four IDX files (raw or .gz), as [N, 1, S, S] images in [−1, 1] with labels.</summary>
internal static class FashionMnistDataset
{
    public static readonly IReadOnlyList<string> ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private static readonly string[] AllFiles =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    public static ModalityData Load(string folder, DataSplit split, int size, int limit)
    {
        string prefix = split == DataSplit.Train ? "train" : "t10k";
        string imagesPath = Locate(folder, $"{prefix}-images-idx3-ubyte");
        string labelsPath = Locate(folder, $"{prefix}-labels-idx1-ubyte");

        var images = IdxFile.Read(imagesPath, expectedDims: 3, maxItems: limit);
        var labels = IdxFile.Read(labelsPath, expectedDims: 1, maxItems: limit);
        if (images.Dims[0] != labels.Dims[0])
            throw new PluginInputException(
                $"{labelsPath}: holds {labels.Dims[0]} labels but {imagesPath} holds {images.Dims[0]} images; the files do not belong together");
        int badLabel = Array.FindIndex(labels.Data, l => l >= ClassNames.Count);
        if (badLabel >= 0)
            throw new PluginInputException(
                $"{labelsPath}: label {labels.Data[badLabel]} at item {badLabel} is not a Fashion-MNIST class (0..{ClassNames.Count - 1})");

        int n = images.Dims[0], height = images.Dims[1], width = images.Dims[2];
        using var scope = NewDisposeScope();
        var pixels = tensor(images.Data, [n, 1, height, width], dtype: ScalarType.Byte).to_type(ScalarType.Float32) / 255f;
        if (height != size || width != size)
            pixels = nn.functional.interpolate(pixels, size: [size, size], mode: InterpolationMode.Bilinear, align_corners: false);
        var items = (pixels * 2 - 1).clamp(-1, 1).contiguous();
        var labelTensor = tensor(labels.Data, dtype: ScalarType.Byte).to_type(ScalarType.Int64);
        return new ModalityData(scope.MoveToOuter(items), scope.MoveToOuter(labelTensor), ClassNames);
    }

    /// <summary>The path of a file, raw or .gz; a missing one says how to install the dataset.</summary>
    private static string Locate(string folder, string name)
    {
        string raw = System.IO.Path.Combine(folder, name);
        if (File.Exists(raw)) return raw;
        if (File.Exists(raw + ".gz")) return raw + ".gz";
        throw new PluginInputException(
            $"Fashion-MNIST not found at {folder}: install it with `sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu) " +
            $"or set `path:` to a folder holding {string.Join(", ", AllFiles.Select(f => f + "(.gz)"))} " +
            $"(missing: {name}{(Directory.Exists(folder) ? "" : "; the folder does not exist")})");
    }
}
