using System.Text;
using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Plugins;
using Diffusion.Modalities.Image.Png;
using Microsoft.Extensions.Logging;

namespace Diffusion.Modalities.CrossModal.TextToImage;

/// <summary>
/// Captioned images for text-to-image: captioned shapes ("a large red circle at the top left"), Fashion-MNIST or an
/// image folder with prompts from class names ("a photo of an ankle boot"). Items are images [N, C, S, S] in [−1, 1]
/// with class labels, each with its caption as condition tokens [N, L] (0 = padding) and text. Samples are written as a
/// PNG grid with the prompt of each sample beside it, and scored by prompt accuracy (see <see cref="PromptMetrics"/>)
/// and the image plugin's metrics.
/// </summary>
[Plugin(PluginKind.Modality, "captioned-image", Options = typeof(CaptionedImageOptions),
    Description = "Captioned images for text-to-image (shapes with attribute captions, fashion-mnist or image-folder with class-name prompts): caption tokens, PNG grids with prompts, prompt-accuracy.")]
public sealed class CaptionedImageModality : IPromptModality
{
    private readonly CaptionedImageOptions options;
    private readonly Lazy<IReadOnlyList<string>> classNames;
    private readonly Lazy<CaptionTokenizer> tokenizer;
    private string[]? lastPrompts;

    /// <summary>Creates the modality; files are only read when data or its spec is first needed.</summary>
    public CaptionedImageModality(CaptionedImageOptions options)
    {
        this.options = options;
        classNames = new(() => CaptionedImages.ClassNames(options));
        tokenizer = new(() => BuildTokenizer(options, classNames.Value));
    }

    internal CaptionedImageOptions Options => options;

    internal CaptionTokenizer Tokenizer => tokenizer.Value;

    /// <inheritdoc />
    public DataSpec Spec => new("image", [options.ImageChannels, options.ImageSize, options.ImageSize], NumClasses: classNames.Value.Count)
    {
        ConditionVocabSize = Tokenizer.VocabSize,
        ConditionLength = options.CaptionLength,
    };

    /// <inheritdoc />
    public ModalityData Load(DataSplit split)
    {
        using var set = CaptionedImages.Load(options, split);
        return new ModalityData(set.Images.alias(), set.Labels.alias(), set.ClassNames)
        {
            ConditionTokens = Tokenizer.Encode(set.Captions),
            ConditionTexts = set.Captions,
        };
    }

    /// <inheritdoc />
    public Tensor EncodePrompts(IReadOnlyList<string> prompts)
    {
        var tokens = Tokenizer.Encode(prompts);
        lastPrompts = [.. prompts];
        return tokens;
    }

    /// <inheritdoc />
    public string ClassPrompt(int classIndex)
    {
        var names = classNames.Value;
        if (classIndex < 0 || classIndex >= names.Count)
            throw new ArgumentOutOfRangeException(nameof(classIndex), classIndex, $"the data has {names.Count} classes");
        return CaptionedImages.ClassPrompt(options, names, classIndex);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Writes <c>NAME.png</c> (the grid) and <c>NAME.prompts.txt</c> (the prompt of each sample, in grid order, in the
    /// text-samples format: entries separated by lines holding only <c>%</c>, so <c>runs show</c> prints the first ones). The prompts are the held-out captions of <c>conditions: test</c>, the prompts the sample stage just
    /// encoded, or the class prompts of the recorded sample labels; samples drawn for none are written as "(none)".
    /// </remarks>
    public void WriteSamples(Tensor samples, string name, IRunContext context)
    {
        var (pixels, width, height, channels) = ImageGrid.Render(samples);
        context.Artifacts.Write($"{name}.png", "image-grid", stream => ImageCodec.WritePng(stream, width, height, channels, pixels));
        var prompts = SamplePrompts((int)samples.shape[0], context);
        context.Artifacts.Write($"{name}.prompts.txt", TextSamples.ArtifactKind, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false));
            writer.Write(TextSamples.Format(prompts));
        });
        context.Logger.LogInformation("{Stage}: prompts {Prompts}", name, string.Join(" | ", prompts.Distinct().Take(5)));
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Evaluate(Tensor samples, ModalityData reference, IRunContext context)
    {
        var metrics = (options.Metrics ?? []).Distinct().ToList();
        var results = new Dictionary<string, double>(StringComparer.Ordinal);
        var imageMetrics = metrics.Where(CaptionedImageOptions.ImageMetricNames.Contains).ToArray();
        foreach (var (key, value) in new ImageModality(ImageOptions(imageMetrics)).Evaluate(samples, reference, context))
            results[key] = value;
        if (metrics.Contains(PromptMetrics.PromptAccuracy))
        {
            foreach (var (key, value) in new PromptMetrics(options, samples, reference, context).Run())
                results[key] = value;
        }
        // The evaluate stage logs eval/KEY; a pipeline that evaluates several guidance scales needs each stage's own
        // figures too, so they are also logged as STAGE/KEY (e.g. evaluate-cfg/prompt-accuracy).
        foreach (var (key, value) in results)
            context.Tracker.LogMetric($"{context.StageName}/{key}", value, 0);
        return results;
    }

    /// <summary>The prompt of each of <paramref name="count"/> samples, from what the sample stage recorded.</summary>
    private string[] SamplePrompts(int count, IRunContext context)
    {
        var encoded = lastPrompts;
        lastPrompts = null; // consumed: a later unprompted sample stage must not reuse them
        if (context.State.Samples?.ConditionItems is { } items && items.shape[0] == count)
        {
            using var set = CaptionedImages.Load(options, DataSplit.Test);
            return items.data<long>().ToArray().Select(i => set.Captions[(int)i]).ToArray();
        }
        if (encoded is not null && encoded.Length == count) return encoded;
        if (context.State.Samples?.Labels is { } labels && labels.shape[0] == count)
            return labels.to_type(ScalarType.Int64).data<long>().ToArray().Select(l => ClassPrompt((int)l)).ToArray();
        return Enumerable.Repeat("(none)", count).ToArray();
    }

    /// <summary>The image plugin's options for the same images, to delegate its metrics to.</summary>
    private ImageModalityOptions ImageOptions(string[] metrics) => new()
    {
        Dataset = options.Dataset switch
        {
            CaptionedDataset.FashionMnist => ImageDataset.FashionMnist,
            CaptionedDataset.ImageFolder => ImageDataset.ImageFolder,
            _ => ImageDataset.Shapes, // only fd-pixels, which compares with the reference alone
        },
        Path = options.Path,
        ImageSize = options.ImageSize,
        Channels = options.Dataset == CaptionedDataset.ImageFolder ? options.Channels : 1,
        TestFraction = options.TestFraction,
        Limit = options.Limit,
        Metrics = metrics,
        ClassifierCache = options.ClassifierCache,
        ClassifierEpochs = options.ClassifierEpochs,
    };

    /// <summary>
    /// The tokenizer of every caption the data can have: all class captions for shapes, every template with every class
    /// name otherwise. It does not depend on the split or the limit, so a checkpoint's vocabulary is reproducible.
    /// </summary>
    private static CaptionTokenizer BuildTokenizer(CaptionedImageOptions options, IReadOnlyList<string> names)
    {
        var texts = options.Dataset == CaptionedDataset.Shapes
            ? names
            : options.Templates.SelectMany(t => names.Select(n => ClassPrompts.Format(t, n))).ToList();
        var built = new CaptionTokenizer(options.Tokenizer, texts, options.CaptionLength);
        if (built.Longest > options.CaptionLength)
            throw new PluginInputException(
                $"the longest caption is {built.Longest} {options.Tokenizer.ToString().ToLowerInvariant()} tokens, but caption_length is {options.CaptionLength}: set caption_length to at least {built.Longest}");
        return built;
    }
}
