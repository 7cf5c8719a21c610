using System.Globalization;
using System.Text;
using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Plugins;
using Diffusion.Modalities.Image.Png;
using Microsoft.Extensions.Logging;

namespace Diffusion.Modalities.CrossModal.ImageToText;

/// <summary>
/// Image-to-text: items are the captions of captioned images as fixed-length token rows (like the <c>text</c> modality: the
/// caption, [EOS], then [PAD]s, ids 0..V−1 with V the compact caption vocabulary; the mask of masked diffusion is V), and
/// each item carries its image as <see cref="ModalityData.ConditionImages"/> and its class label. A token sampler (mdlm,
/// d3pm-uniform) trains a denoiser with an image encoder (transformer1d with <c>image_encoder_channels</c>) to generate the
/// caption of an image; a sample stage with <c>conditions: test</c> captions the held-out images, and an infill stage with
/// <c>conditions: test</c> completes caption templates for them (<c>"a large{*}"</c>). Samples are written as
/// text (one caption per entry), with a table of generated against true captions and a PNG grid of the condition images,
/// and scored by caption, class, token and (captioned shapes) per-attribute accuracy.
/// </summary>
[MetricGoal(CaptionMetrics.ValidCaptions, MetricGoal.Maximize)]
[MetricGoal(CaptionMetrics.CaptionAccuracy, MetricGoal.Maximize)]
[MetricGoal(CaptionMetrics.TokenAccuracy, MetricGoal.Maximize)]
[MetricGoal(CaptionMetrics.AttributeAccuracy, MetricGoal.Maximize)]
[Plugin(PluginKind.Modality, "image-caption", Options = typeof(ImageCaptionOptions),
    Description = "Image-to-text: captions of captioned images (shapes, fashion-mnist, image-folder) as tokens conditioned on their image; caption/class/token/attribute accuracy.")]
public sealed class ImageCaptionModality(ImageCaptionOptions options) : ITextModality
{
    private const int LoggedSamples = 3;

    private readonly Lazy<CaptionVocabulary> _vocabulary = new(() => CaptionVocabulary.For(options));
    private readonly Lazy<IReadOnlyList<string>> _classNames = new(() => CaptionedImages.ClassNames(options));

    internal CaptionVocabulary Vocabulary => _vocabulary.Value;

    /// <inheritdoc />
    public DataSpec Spec => new("tokens", [options.SeqLen], NumClasses: _classNames.Value.Count, VocabSize: Vocabulary.Tokenizer.VocabSize)
    {
        ConditionImageShape = [options.ImageChannels, options.ImageSize, options.ImageSize],
    };

    /// <inheritdoc />
    public int EndOfText => Vocabulary.Tokenizer.EndOfText;

    /// <inheritdoc />
    public int Pad => Vocabulary.Tokenizer.Pad;

    /// <inheritdoc />
    public IReadOnlyList<int> Encode(string text) => Vocabulary.Tokenizer.Encode(text);

    /// <inheritdoc />
    public ModalityData Load(DataSplit split)
    {
        using var set = CaptionedImages.Load(options, split);
        var rows = Vocabulary.Rows(set.Captions);
        var items = rows.Count == 0
            ? zeros([0, options.SeqLen], dtype: ScalarType.Int64)
            : tensor(rows.SelectMany(r => r).ToArray(), [rows.Count, options.SeqLen], dtype: ScalarType.Int64);
        return new ModalityData(items, set.Labels.clone(), set.ClassNames)
        {
            ConditionImages = set.Images.clone(),
            ConditionTexts = set.Captions,
        };
    }

    /// <inheritdoc />
    public void WriteSamples(Tensor samples, string name, IRunContext context)
    {
        using var scope = NewDisposeScope();
        var captions = Rows(samples).Select(Vocabulary.Decode).ToList();
        context.Artifacts.Write($"{name}.txt", TextSamples.ArtifactKind, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false));
            writer.Write(TextSamples.Format(captions));
        });
        var items = ConditionItems(context, captions.Count);
        if (items is null)
        {
            foreach (var caption in captions.Take(LoggedSamples)) context.Logger.LogInformation("{Stage} caption: {Caption}", name, caption);
            return;
        }
        using var reference = Load(DataSplit.Test);
        var truth = reference.ConditionTexts!;
        context.Artifacts.Write($"{name}-captions.tsv", "captions", stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false));
            writer.Write("sample\ttest_item\tgenerated\ttrue\n");
            for (int i = 0; i < captions.Count; i++)
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"{i}\t{items[i]}\t{captions[i]}\t{truth[(int)items[i]]}\n"));
        });
        int shown = Math.Min(options.GridImages, captions.Count);
        if (shown > 0)
        {
            var images = reference.ConditionImages!.index_select(0, tensor(items.Take(shown).ToArray(), dtype: ScalarType.Int64));
            var (pixels, width, height, channels) = ImageGrid.Render(images);
            context.Artifacts.Write($"{name}-conditions.png", "image-grid", stream => ImageCodec.WritePng(stream, width, height, channels, pixels));
        }
        for (int i = 0; i < Math.Min(LoggedSamples, captions.Count); i++)
            context.Logger.LogInformation("{Stage} caption of test item {Item}: {Caption} (true: {Truth})", name, items[i], captions[i], truth[(int)items[i]]);
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Evaluate(Tensor samples, ModalityData reference, IRunContext context)
    {
        using var scope = NewDisposeScope();
        var rows = Rows(samples);
        var captions = rows.Select(Vocabulary.Decode).ToList();
        var results = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [CaptionMetrics.ValidCaptions] = captions.Count == 0 ? 0 : captions.Count(Vocabulary.IsKnown) / (double)captions.Count,
        };
        var items = ConditionItems(context, captions.Count);
        if (items is null)
        {
            context.Logger.LogWarning(
                "the captions were not drawn for held-out images (sample with conditions: test), so only {Metric} is measured", CaptionMetrics.ValidCaptions);
            return results;
        }
        if (reference.ConditionTexts is null || reference.Labels is null || items.Any(i => i >= reference.Count))
            throw new PluginInputException("the samples were conditioned on held-out items this data component does not have: evaluate with the data component the sample stage used");
        var truth = items.Select(i => reference.ConditionTexts[(int)i]).ToList();
        var labels = reference.Labels.index_select(0, tensor(items, dtype: ScalarType.Int64)).data<long>().Select(l => (int)l).ToList();
        var truthRows = Rows(reference.Items.index_select(0, tensor(items, dtype: ScalarType.Int64)));

        results[CaptionMetrics.CaptionAccuracy] = CaptionMetrics.ExactMatch(captions, truth);
        results[CaptionMetrics.TokenAccuracy] = CaptionMetrics.MatchingTokens(rows, truthRows, Vocabulary.Tokenizer.Pad);
        var classPhrases = _classNames.Value.Select(n => options.Dataset == CaptionedDataset.Shapes ? n : ClassPrompts.PromptName(n)).ToList();
        results[CaptionMetrics.ClassAccuracy] = CaptionMetrics.NamesTheRightOne(captions, labels, classPhrases);
        if (options.Dataset == CaptionedDataset.Shapes)
        {
            foreach (var (key, value) in CaptionMetrics.AttributeAccuracies(captions, truth, CaptionedShapes.Attributes.Select(a => (a.Name, a.Values)).ToList()))
                results[key] = value;
        }
        return results;
    }

    /// <summary>
    /// The held-out item each sample was conditioned on (recorded by a sample stage with <c>conditions: test</c>), or null when
    /// the samples were not drawn for held-out items.
    /// </summary>
    private static long[]? ConditionItems(IRunContext context, int count)
    {
        if (context.State.Samples?.ConditionItems is not { } items) return null;
        if (items.shape[0] != count)
            throw new PluginInputException(
                $"the sample stage recorded {items.shape[0]} condition items for {count} samples; evaluate the samples the conditions: test stage drew");
        return items.cpu().to_type(ScalarType.Int64).data<long>().ToArray();
    }

    private static List<long[]> Rows(Tensor samples)
    {
        if (samples.dim() != 2 || samples.is_floating_point())
            throw new PluginInputException(
                $"image-caption reads caption tokens [N, L] (integers), got {samples.dtype} [{string.Join(", ", samples.shape)}]; sample with a token sampler such as mdlm");
        var values = samples.cpu().to_type(ScalarType.Int64).contiguous().data<long>().ToArray();
        int length = (int)samples.shape[1];
        return Enumerable.Range(0, (int)samples.shape[0]).Select(i => values.AsSpan(i * length, length).ToArray()).ToList();
    }
}
