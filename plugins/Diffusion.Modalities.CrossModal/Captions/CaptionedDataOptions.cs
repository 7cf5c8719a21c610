namespace Diffusion.Modalities.CrossModal.Captions;

/// <summary>
/// Where captioned images come from: the data keys shared by the cross-modal modalities (text-to-image and
/// image-to-text derive their options from this class).
/// </summary>
public class CaptionedDataOptions : IValidatableObject
{
    /// <summary>Where Debian's dataset-fashion-mnist package installs the files: the default path for fashion-mnist.</summary>
    public const string DebianFashionMnistPath = "/usr/share/datasets/fashion-mnist";

    /// <summary>Dataset: shapes (built in), fashion-mnist or image-folder. Default shapes.</summary>
    [Description("Dataset: shapes (built-in RGB shapes captioned 'a large red circle at the top left'), fashion-mnist (IDX files under path, prompts from class names) or image-folder (PNG/JPEG under path, one sub-folder per class, prompts from folder names).")]
    public CaptionedDataset Dataset { get; set; } = CaptionedDataset.Shapes;

    /// <summary>fashion-mnist: the folder of the IDX files (default: Debian's location); image-folder: the folder of images (required).</summary>
    [Description("fashion-mnist: folder of the IDX files, raw or .gz (default /usr/share/datasets/fashion-mnist); image-folder: folder of PNG/JPEG files, one sub-folder per class (required).")]
    [ExistingPath(PathKind.Folder)]
    public string? Path { get; set; }

    /// <summary>Side of the square images in pixels. Default 16.</summary>
    [Range(8, 512), Description("Side of the square images; fashion-mnist and image-folder files of another size are resized bilinearly.")]
    public int ImageSize { get; set; } = 16;

    /// <summary>image-folder: 1 (grey) or 3 (RGB) channels. Shapes are RGB, fashion-mnist grey. Default 3.</summary>
    [Range(1, 3), Description("image-folder: 1 (grey) or 3 (RGB) channels; shapes have 3 and fashion-mnist 1.")]
    public int Channels { get; set; } = 3;

    /// <summary>Shapes only: number of training images; the test split has a further 25%. Default 4000.</summary>
    [Range(4, 10_000_000), Description("shapes: number of training images (the test split has 25% more from another seed stream).")]
    public int Count { get; set; } = 4000;

    /// <summary>Cap on the number of items loaded per split; 0 loads all. Default 0.</summary>
    [Range(0, int.MaxValue), Description("Cap on the items loaded per split (0 = all).")]
    public int Limit { get; set; }

    /// <summary>image-folder: share of each class held out as the test split. Default 0.1.</summary>
    [Range(0.0, 0.9), Description("image-folder: share of each class held out for the test split (chosen by a hash of each file's name).")]
    public double TestFraction { get; set; } = 0.1;

    /// <summary>
    /// fashion-mnist and image-folder: the prompt templates, each holding <c>{name}</c> (the class name; "a {name}" becomes
    /// "an {name}" before a vowel). Item i gets a template chosen by a fixed hash of its index; the first is the one
    /// class-cycled samples are drawn for.
    /// </summary>
    [Description("fashion-mnist and image-folder: prompt templates holding {name} (the class name); each item gets one by a fixed hash, the first is used for class-cycled samples.")]
    public string[] Templates { get; set; } = [.. ClassPrompts.DefaultTemplates];

    /// <summary>The number of image channels of the dataset.</summary>
    internal int ImageChannels => Dataset switch
    {
        CaptionedDataset.Shapes => 3,
        CaptionedDataset.FashionMnist => 1,
        _ => Channels,
    };

    /// <summary>The folder to read: <see cref="Path"/>, or the Debian location for fashion-mnist.</summary>
    internal string ResolvedPath => Path ?? (Dataset == CaptionedDataset.FashionMnist ? DebianFashionMnistPath : "");

    /// <inheritdoc />
    public virtual IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Dataset == CaptionedDataset.ImageFolder && string.IsNullOrWhiteSpace(Path))
            yield return new ValidationResult("path must name the folder of images (one sub-folder per class, its name the caption's class name) for dataset image-folder", [nameof(Path)]);
        if (Channels == 2)
            yield return new ValidationResult("channels must be 1 (grey) or 3 (RGB)", [nameof(Channels)]);
        if (Templates is null || Templates.Length == 0)
            yield return new ValidationResult($"templates needs at least one template holding {ClassPrompts.Placeholder}, e.g. \"a photo of a {ClassPrompts.Placeholder}\"", [nameof(Templates)]);
        else
        {
            foreach (var template in Templates.Where(t => t is null || !t.Contains(ClassPrompts.Placeholder, StringComparison.Ordinal)))
                yield return new ValidationResult($"template \"{template}\" does not hold {ClassPrompts.Placeholder} (where the class name goes), e.g. \"a photo of a {ClassPrompts.Placeholder}\"", [nameof(Templates)]);
        }
    }
}
