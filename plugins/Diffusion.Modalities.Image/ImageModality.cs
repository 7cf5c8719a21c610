using Diffusion.Abstractions.Denoisers;
using Diffusion.Modalities.Image.Datasets;
using Diffusion.Modalities.Image.Metrics;
using Diffusion.Modalities.Image.Png;

namespace Diffusion.Modalities.Image;

/// <summary>
/// Images: the built-in shapes dataset, Fashion-MNIST or a folder of PNG/JPEG files, written as PNG grids and scored by
/// Fréchet distances, kernel distance, precision/recall, memorization and class accuracy (see <see cref="ImageMetrics"/>).
/// Items are float32 [N, C, S, S] in [−1, 1] with long labels [N] (none for an unlabelled image folder).
/// </summary>
[MetricGoal(ImageMetrics.Fd, MetricGoal.Minimize)]
[MetricGoal(ImageMetrics.FdPixels, MetricGoal.Minimize)]
[MetricGoal(ImageMetrics.Kid, MetricGoal.Minimize)]
[MetricGoal(ImageMetrics.Memorization, MetricGoal.Minimize)]
[MetricGoal(ImageMetrics.Precision, MetricGoal.Maximize)]
[MetricGoal(ImageMetrics.Recall, MetricGoal.Maximize)]
[MetricGoal(ImageMetrics.ClassAccuracy, MetricGoal.Maximize)]
[Plugin(PluginKind.Modality, "image", Options = typeof(ImageModalityOptions),
    Description = "Images (shapes, fashion-mnist, image-folder): data, PNG sample grids, fd/kid/precision-recall/memorization/class-accuracy metrics.")]
public sealed class ImageModality : IModality
{
    private readonly ImageModalityOptions options;
    private readonly Lazy<ImageFolderDataset.Listing> folder;
    private readonly Lazy<DataSpec> spec;

    /// <summary>Creates the modality; an image folder is only read when data or its spec is first needed.</summary>
    public ImageModality(ImageModalityOptions options)
    {
        this.options = options;
        folder = new(() => ImageFolderDataset.List(options.ResolvedPath, options.TestFraction));
        spec = new(() => new DataSpec("image", [options.Channels, options.ImageSize, options.ImageSize], NumClasses: options.Dataset switch
        {
            ImageDataset.Shapes => ShapesDataset.ClassNames.Count,
            ImageDataset.FashionMnist => FashionMnistDataset.ClassNames.Count,
            _ => folder.Value.ClassNames?.Count ?? 0,
        }));
    }

    /// <inheritdoc />
    public DataSpec Spec => spec.Value;

    /// <inheritdoc />
    public ModalityData Load(DataSplit split)
    {
        var data = LoadUnaugmented(split);
        if (split != DataSplit.Train || !options.HorizontalFlip) return data;
        using (data)
        {
            // The mirrored copies follow the originals; the train stage's seeded draws pick which one each step sees.
            var items = cat([data.Items, data.Items.flip(3)]);
            var labels = data.Labels is null ? null : cat([data.Labels, data.Labels]);
            return new ModalityData(items, labels, data.ClassNames);
        }
    }

    /// <summary>A split as stored, without augmentation: what the metrics compare with.</summary>
    internal ModalityData LoadUnaugmented(DataSplit split) => options.Dataset switch
    {
        ImageDataset.Shapes => ShapesDataset.Generate(split, options.ImageSize, options.Count, options.Limit),
        ImageDataset.FashionMnist => FashionMnistDataset.Load(options.ResolvedPath, split, options.ImageSize, options.Limit),
        ImageDataset.ImageFolder => ImageFolderDataset.Load(folder.Value, split, options.ImageSize, options.Channels, options.Limit),
        _ => throw new ArgumentOutOfRangeException(nameof(split), options.Dataset, "unknown dataset"),
    };

    /// <inheritdoc />
    public void WriteSamples(Tensor samples, string name, IRunContext context)
    {
        var (pixels, width, height, channels) = ImageGrid.Render(samples);
        context.Artifacts.Write($"{name}.png", "image-grid", stream => ImageCodec.WritePng(stream, width, height, channels, pixels));
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Evaluate(Tensor samples, ModalityData reference, IRunContext context) =>
        new ImageEvaluation(options, this, samples, reference, context).Run();
}
