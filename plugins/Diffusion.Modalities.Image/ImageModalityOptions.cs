using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Diffusion.Modalities.Image;

/// <summary>Options of <see cref="ImageModality"/>.</summary>
public class ImageModalityOptions : IValidatableObject
{
    /// <summary>Where Debian's dataset-fashion-mnist package installs the files: the default <see cref="Path"/> for fashion-mnist.</summary>
    public const string DebianFashionMnistPath = "/usr/share/datasets/fashion-mnist";

    /// <summary>The metrics <see cref="ImageModality.Evaluate"/> knows (pixel-mean and pixel-std are always reported).</summary>
    public static readonly IReadOnlyList<string> KnownMetrics =
    [
        ImageMetrics.FdPixels, ImageMetrics.Fd, ImageMetrics.Kid, ImageMetrics.PrecisionRecall,
        ImageMetrics.Memorization, ImageMetrics.ClassAccuracy,
    ];

    /// <summary>Dataset: shapes (built in), fashion-mnist or image-folder (files under <see cref="Path"/>). Default shapes.</summary>
    [Description("Dataset: shapes (built in, no files), fashion-mnist (IDX files under path) or image-folder (PNG/JPEG under path, one sub-folder per class).")]
    public ImageDataset Dataset { get; set; } = ImageDataset.Shapes;

    /// <summary>
    /// fashion-mnist: the folder holding the IDX files (raw or .gz), by default where Debian's dataset-fashion-mnist installs
    /// them; image-folder: the folder of images (required).
    /// </summary>
    [Description("fashion-mnist: folder of the IDX files, raw or .gz (default /usr/share/datasets/fashion-mnist); image-folder: folder of PNG/JPEG files, one sub-folder per class (required).")]
    [ExistingPath(PathKind.Folder)]
    public string? Path { get; set; }

    /// <summary>Side of the square images in pixels; files of another size are resized bilinearly. Default 16.</summary>
    [Range(4, 512), Description("Side of the square images; fashion-mnist and image-folder files of another size are resized bilinearly.")]
    public int ImageSize { get; set; } = 16;

    /// <summary>image-folder: 1 (grey) or 3 (RGB) channels; shapes and fashion-mnist are grey. Default 1.</summary>
    [Range(1, 3), Description("image-folder: 1 (grey) or 3 (RGB) channels; shapes and fashion-mnist have 1.")]
    public int Channels { get; set; } = 1;

    /// <summary>image-folder: share of each class held out as the test split, chosen by a hash of the file names. Default 0.1.</summary>
    [Range(0.0, 0.9), Description("image-folder: share of each class held out for the test split (chosen by a hash of each file's name, so stable).")]
    public double TestFraction { get; set; } = 0.1;

    /// <summary>Adds a mirrored (left-right) copy of every training image; the test split is never flipped. Default false.</summary>
    [Description("Augment the training split with a left-right mirrored copy of every image (the test split is unchanged).")]
    public bool HorizontalFlip { get; set; }

    /// <summary>Shapes only: number of training images; the test split has a further 25% from another seed stream. Default 4000.</summary>
    [Range(4, 10_000_000), Description("shapes: number of training images (the test split has 25% more from another seed stream).")]
    public int Count { get; set; } = 4000;

    /// <summary>Cap on the number of items loaded per split, for quick runs; 0 loads all. Default 0.</summary>
    [Range(0, int.MaxValue), Description("Cap on the items loaded per split (0 = all).")]
    public int Limit { get; set; }

    /// <summary>Metrics computed by evaluate stages. Default [fd-pixels]; pixel-mean and pixel-std are always reported.</summary>
    [Description("Metrics: fd-pixels, fd, kid, precision-recall, memorization, class-accuracy (each with a -floor: what real data scores). pixel-mean and pixel-std are always reported.")]
    public string[] Metrics { get; set; } = [ImageMetrics.FdPixels];

    /// <summary>Folder where trained feature classifiers are cached, keyed by a hash of the data and settings. Default runs/cache/image-classifier.</summary>
    [Description("Folder caching the feature classifiers trained for fd/kid/precision-recall/class-accuracy (relative to the working directory).")]
    public string ClassifierCache { get; set; } = "runs/cache/image-classifier";

    /// <summary>Passes over the training split when training the feature classifier. Default 2.</summary>
    [Range(1, 100), Description("Epochs over the training split for the feature classifier.")]
    public int ClassifierEpochs { get; set; } = 2;

    /// <summary>Images per KID subset (capped by the number of samples and reference images). Default 1000.</summary>
    [Range(2, 100_000), Description("kid: images per subset (capped by the set sizes).")]
    public int KidSubsetSize { get; set; } = 1000;

    /// <summary>Number of random subsets the KID estimate averages. Default 10.</summary>
    [Range(1, 1000), Description("kid: number of subsets averaged.")]
    public int KidSubsets { get; set; } = 10;

    /// <summary>precision-recall: the k of the k-nearest-neighbour radii. Default 3.</summary>
    [Range(1, 100), Description("precision-recall: k of the k-nearest-neighbour balls (Kynkaanniemi et al. use 3).")]
    public int NearestK { get; set; } = 3;

    /// <summary>memorization: a sample counts as a copy when nearest/second-nearest training distance is below this. Default 1/3.</summary>
    [Range(0.01, 1.0), Description("memorization: a sample is a copy when the distance to its nearest training image is below this share of the distance to the second nearest.")]
    public double MemorizationRatio { get; set; } = 1.0 / 3.0;

    /// <summary>The folder to read: <see cref="Path"/>, or the Debian location for fashion-mnist.</summary>
    internal string ResolvedPath => Path ?? (Dataset == ImageDataset.FashionMnist ? DebianFashionMnistPath : "");

    /// <inheritdoc />
    public virtual IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Dataset == ImageDataset.ImageFolder && string.IsNullOrWhiteSpace(Path))
            yield return new ValidationResult("path must name the folder of images (one sub-folder per class) for dataset image-folder", [nameof(Path)]);
        if (Dataset == ImageDataset.FashionMnist && Path is not null && string.IsNullOrWhiteSpace(Path))
            yield return new ValidationResult("path must name the folder holding the Fashion-MNIST files (or be left out for the Debian location)", [nameof(Path)]);
        if (Dataset != ImageDataset.ImageFolder && Channels != 1)
            yield return new ValidationResult($"channels: {OptionNames.EnumValueName(Dataset)} images are grey; only image-folder can load 3 channels", [nameof(Channels)]);
        if (Channels == 2)
            yield return new ValidationResult("channels must be 1 (grey) or 3 (RGB)", [nameof(Channels)]);
        foreach (var metric in Metrics ?? [])
        {
            if (!KnownMetrics.Contains(metric))
                yield return new ValidationResult(
                    $"unknown metric '{metric}'; available: {string.Join(", ", KnownMetrics)}", [nameof(Metrics)]);
        }
    }
}
