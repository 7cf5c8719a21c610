using Diffusion.Modalities.Image.Datasets;

namespace Diffusion.Modalities.CrossModal.Captions;

/// <summary>
/// A split of captioned images: the images, their class labels, each item's caption and, for captioned shapes, the
/// attribute table the caption was written from.
/// </summary>
/// <param name="Images">Images [N, C, S, S] in [−1, 1] (float32, CPU).</param>
/// <param name="Labels">Class indices [N] (long, CPU): the Fashion-MNIST or folder class, or the shapes' attribute combination.</param>
/// <param name="ClassNames">The names of the classes (for shapes, the caption of each combination).</param>
/// <param name="Captions">The caption of each item.</param>
/// <param name="Attributes">Shapes only: each item's attribute values [N][A], columns as <see cref="AttributeNames"/>; else null.</param>
/// <param name="AttributeNames">Shapes only: the attributes and their values; else null.</param>
internal sealed record CaptionedSet(
    Tensor Images,
    Tensor Labels,
    IReadOnlyList<string> ClassNames,
    IReadOnlyList<string> Captions,
    int[][]? Attributes,
    IReadOnlyList<CaptionAttribute>? AttributeNames) : IDisposable
{
    /// <summary>Number of items.</summary>
    public int Count => Captions.Count;

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}

/// <summary>Loads captioned images: the data behind the text-to-image and image-to-text modalities.</summary>
internal static class CaptionedImages
{
    /// <summary>Loads <paramref name="split"/>; deterministic for the same options.</summary>
    /// <exception cref="Diffusion.Abstractions.Runs.PluginInputException">Missing or unreadable files.</exception>
    public static CaptionedSet Load(CaptionedDataOptions options, DataSplit split)
    {
        if (options.Dataset == CaptionedDataset.Shapes)
        {
            var (images, attributes) = CaptionedShapes.Generate(split, options.ImageSize, options.Count, options.Limit);
            var labels = attributes.Select(a => (long)CaptionedShapes.Combination(a[0], a[1], a[2], a[3])).ToArray();
            var captions = attributes.Select(a => CaptionedShapes.Caption(a[0], a[1], a[2], a[3])).ToArray();
            return new CaptionedSet(images, tensor(labels, dtype: ScalarType.Int64), CaptionedShapes.ClassNames, captions, attributes, CaptionedShapes.Attributes);
        }

        using var data = options.Dataset == CaptionedDataset.FashionMnist
            ? FashionMnistDataset.Load(options.ResolvedPath, split, options.ImageSize, options.Limit)
            : ImageFolderDataset.Load(Folder(options), split, options.ImageSize, options.Channels, options.Limit);
        var classNames = data.ClassNames ?? throw new Diffusion.Abstractions.Runs.PluginInputException(
            $"image folder {options.Path} has no class sub-folders, so its images have no captions: put the images in one sub-folder per class (the folder name is the caption's class name)");
        var values = data.Labels!.data<long>().ToArray();
        var prompts = new string[values.Length];
        for (int i = 0; i < values.Length; i++)
            prompts[i] = ClassPrompts.Format(options.Templates[ClassPrompts.TemplateOf(i, split == DataSplit.Test, options.Templates.Length)], classNames[(int)values[i]]);
        return new CaptionedSet(data.Items.alias(), data.Labels.alias(), classNames, prompts, null, null);
    }

    /// <summary>The prompt class-cycled samples of class <paramref name="classIndex"/> are drawn for.</summary>
    public static string ClassPrompt(CaptionedDataOptions options, IReadOnlyList<string> classNames, int classIndex) =>
        options.Dataset == CaptionedDataset.Shapes
            ? CaptionedShapes.Caption(classIndex)
            : ClassPrompts.Format(options.Templates[0], classNames[classIndex]);

    /// <summary>The class names of the dataset, without loading images (an image folder is listed).</summary>
    public static IReadOnlyList<string> ClassNames(CaptionedDataOptions options) => options.Dataset switch
    {
        CaptionedDataset.Shapes => CaptionedShapes.ClassNames,
        CaptionedDataset.FashionMnist => FashionMnistDataset.ClassNames,
        _ => Folder(options).ClassNames ?? throw new Diffusion.Abstractions.Runs.PluginInputException(
            $"image folder {options.Path} has no class sub-folders, so its images have no captions: put the images in one sub-folder per class"),
    };

    private static ImageFolderDataset.Listing Folder(CaptionedDataOptions options) =>
        ImageFolderDataset.List(options.ResolvedPath, options.TestFraction);
}
