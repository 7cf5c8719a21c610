using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Modalities;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;
using Diffusion.Modalities.Image.Datasets;
using Diffusion.Modalities.Image.Metrics;
using Diffusion.Modalities.Image.Png;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Diffusion.Modalities.Image;

/// <summary>
/// Grey images: the built-in shapes dataset or Fashion-MNIST, written as PNG grids and scored by a pixel-space
/// Fréchet distance. Items are float32 [N, 1, S, S] in [−1, 1] with long labels [N].
/// </summary>
[Plugin(PluginKind.Modality, "image", Options = typeof(ImageModalityOptions),
    Description = "Images (shapes or fashion-mnist): data, PNG sample grids, pixel Frechet distance.")]
public sealed class ImageModality(ImageModalityOptions options) : IModality
{
    /// <inheritdoc />
    public DataSpec Spec { get; } = new("image", [1, options.ImageSize, options.ImageSize],
        NumClasses: options.Dataset == ImageDataset.Shapes ? ShapesDataset.ClassNames.Count : FashionMnistDataset.ClassNames.Count);

    /// <inheritdoc />
    public ModalityData Load(DataSplit split) => options.Dataset switch
    {
        ImageDataset.Shapes => ShapesDataset.Generate(split, options.ImageSize, options.Count, options.Limit),
        ImageDataset.FashionMnist => FashionMnistDataset.Load(options.Path, split, options.ImageSize, options.Limit),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Dataset, "unknown dataset"),
    };

    /// <inheritdoc />
    public void WriteSamples(Tensor samples, string name, IRunContext context)
    {
        var (pixels, width, height, channels) = ImageGrid.Render(samples);
        context.Artifacts.Write($"{name}.png", "image-grid", stream => PngEncoder.Write(stream, width, height, channels, pixels));
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Evaluate(Tensor samples, ModalityData reference, IRunContext context)
    {
        var results = new Dictionary<string, double>();
        using var scope = NewDisposeScope();
        var values = samples.detach().to_type(ScalarType.Float64);
        results[ImageMetrics.PixelMean] = values.mean().item<double>();
        results[ImageMetrics.PixelStd] = values.numel() > 1 ? values.std().item<double>() : 0.0;

        if (options.Metrics.Contains(ImageMetrics.FdPixels))
        {
            if (samples.dim() != 4 || reference.Items.dim() != 4 || samples.shape[1] != reference.Items.shape[1])
                throw new ArgumentException(
                    $"fd-pixels compares images [N, C, H, W] with the same C; got samples [{string.Join(", ", samples.shape)}] " +
                    $"and reference [{string.Join(", ", reference.Items.shape)}]");
            if (samples.shape[0] < 2 || reference.Count < 4)
            {
                context.Logger.LogWarning("fd-pixels needs at least 2 samples and 4 reference items (got {Samples} and {Reference}); skipped",
                    samples.shape[0], reference.Count);
            }
            else
            {
                var sampleFeatures = FrechetDistance.PixelFeatures(samples);
                var referenceFeatures = FrechetDistance.PixelFeatures(reference.Items);
                results[ImageMetrics.FdPixels] = FrechetDistance.Between(sampleFeatures, referenceFeatures);
                // Interleaved halves, so that a reference sorted by class still splits into two halves of the same mix.
                var even = referenceFeatures[TensorIndex.Slice(0, null, 2)];
                var odd = referenceFeatures[TensorIndex.Slice(1, null, 2)];
                results[ImageMetrics.FdPixelsFloor] = FrechetDistance.Between(even, odd);
            }
        }
        return results;
    }
}
