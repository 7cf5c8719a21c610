using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Diffusion.Abstractions.Options;

namespace Diffusion.Modalities.Image;

/// <summary>Which image dataset <see cref="ImageModality"/> loads.</summary>
public enum ImageDataset
{
    /// <summary>Built-in procedural 1-channel images of circles, squares and triangles; needs no files.</summary>
    Shapes,
    /// <summary>Fashion-MNIST (Xiao et al. 2017) from IDX files on disk.</summary>
    [OptionName("fashion-mnist")]
    FashionMnist,
}

/// <summary>Options of <see cref="ImageModality"/>.</summary>
public sealed class ImageModalityOptions : IValidatableObject
{
    /// <summary>The metrics <see cref="ImageModality.Evaluate"/> knows (pixel-mean and pixel-std are always reported).</summary>
    public static readonly IReadOnlyList<string> KnownMetrics = [ImageMetrics.FdPixels];

    /// <summary>Dataset: shapes (built in) or fashion-mnist (files under <see cref="Path"/>). Default shapes.</summary>
    [Description("Dataset: shapes (built in, no files) or fashion-mnist (IDX files under path).")]
    public ImageDataset Dataset { get; set; } = ImageDataset.Shapes;

    /// <summary>Folder holding the Fashion-MNIST IDX files (raw or .gz). Default: where Debian's dataset-fashion-mnist installs them.</summary>
    [Description("Folder holding Fashion-MNIST's IDX files, raw or .gz.")]
    public string Path { get; set; } = "/usr/share/datasets/fashion-mnist";

    /// <summary>Side of the square images in pixels; Fashion-MNIST is resized from 28 bilinearly when different. Default 16.</summary>
    [Range(4, 512), Description("Side of the square images; fashion-mnist is resized bilinearly from 28 when different.")]
    public int ImageSize { get; set; } = 16;

    /// <summary>Shapes only: number of training images; the test split has a further 25% from another seed stream. Default 4000.</summary>
    [Range(4, 10_000_000), Description("shapes: number of training images (the test split has 25% more from another seed stream).")]
    public int Count { get; set; } = 4000;

    /// <summary>Cap on the number of items loaded per split, for quick runs; 0 loads all. Default 0.</summary>
    [Range(0, int.MaxValue), Description("Cap on the items loaded per split (0 = all).")]
    public int Limit { get; set; }

    /// <summary>Metrics computed by evaluate stages. Default [fd-pixels]; pixel-mean and pixel-std are always reported.</summary>
    [Description("Metrics to compute: fd-pixels (Frechet distance of 7x7 pooled pixels, with its real-vs-real floor). pixel-mean and pixel-std are always reported.")]
    public string[] Metrics { get; set; } = [ImageMetrics.FdPixels];

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Dataset == ImageDataset.FashionMnist && string.IsNullOrWhiteSpace(Path))
            yield return new ValidationResult("path must name the folder holding the Fashion-MNIST files", [nameof(Path)]);
        foreach (var metric in Metrics ?? [])
        {
            if (!KnownMetrics.Contains(metric))
                yield return new ValidationResult(
                    $"unknown metric '{metric}'; available: {string.Join(", ", KnownMetrics)}", [nameof(Metrics)]);
        }
    }
}
