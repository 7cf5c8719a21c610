namespace Diffusion.Modalities.CrossModal.TextToImage;

/// <summary>Options of <see cref="CaptionedImageModality"/>: the captioned data, its tokenizer and the metrics.</summary>
public sealed class CaptionedImageOptions : CaptionedDataOptions
{
    /// <summary>The metrics <see cref="CaptionedImageModality.Evaluate"/> knows besides the image plugin's.</summary>
    public static readonly IReadOnlyList<string> OwnMetrics = [PromptMetrics.PromptAccuracy];

    /// <summary>The image plugin's metrics it can delegate to (captioned shapes: only fd-pixels).</summary>
    public static readonly IReadOnlyList<string> ImageMetricNames =
        [ImageMetrics.FdPixels, ImageMetrics.Fd, ImageMetrics.Kid, ImageMetrics.PrecisionRecall, ImageMetrics.Memorization];

    /// <summary>The caption tokenizer: gpt2 (BPE, compacted to the ids the captions use) or char. Default gpt2.</summary>
    [Description("Caption tokenizer: gpt2 (GPT-2 BPE, offline, compacted to the ids the captions use) or char.")]
    public CaptionTokenizerKind Tokenizer { get; set; } = CaptionTokenizerKind.Gpt2;

    /// <summary>Tokens per caption row (padding fills the rest). Default 16.</summary>
    [Range(1, 1024), Description("Tokens per caption (padded); a caption or prompt with more tokens is an error.")]
    public int CaptionLength { get; set; } = 16;

    /// <summary>Metrics computed by evaluate stages. Default [prompt-accuracy].</summary>
    [Description("Metrics: prompt-accuracy (the in-project classifier's accuracy against each sample's prompt class; shapes: also shape/colour/size/position-accuracy), and the image plugin's fd-pixels, fd, kid, precision-recall, memorization (shapes: fd-pixels only). Each has a -floor: what real images score.")]
    public string[] Metrics { get; set; } = [PromptMetrics.PromptAccuracy];

    /// <summary>Folder caching the classifiers the metrics train. Default runs/cache/image-classifier.</summary>
    [Description("Folder caching the classifiers trained for prompt-accuracy and the feature metrics (relative to the working directory).")]
    public string ClassifierCache { get; set; } = "runs/cache/image-classifier";

    /// <summary>Passes over the training split when training a classifier. Default 2.</summary>
    [Range(1, 100), Description("Epochs over the training split for the classifiers of the metrics.")]
    public int ClassifierEpochs { get; set; } = 2;

    /// <inheritdoc />
    public override IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var result in base.Validate(validationContext)) yield return result;
        foreach (var metric in Metrics ?? [])
        {
            if (!OwnMetrics.Contains(metric) && !ImageMetricNames.Contains(metric))
                yield return new ValidationResult(
                    $"unknown metric '{metric}'; available: {string.Join(", ", OwnMetrics.Concat(ImageMetricNames))}", [nameof(Metrics)]);
            else if (Dataset == CaptionedDataset.Shapes && ImageMetricNames.Contains(metric) && metric != ImageMetrics.FdPixels)
                yield return new ValidationResult(
                    $"metric '{metric}' uses the image plugin's classifier of its own datasets, which has no RGB captioned shapes; for shapes use prompt-accuracy and fd-pixels",
                    [nameof(Metrics)]);
        }
    }
}
