using System.Text;
using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Modalities;
using Diffusion.Modalities.Text.Metrics;
using Microsoft.Extensions.Logging;

namespace Diffusion.Modalities.Text;

/// <summary>
/// Text as fixed-length token sequences: a corpus (built-in lines, text files or fortune files) tokenized by characters or
/// GPT-2 BPE, padded or packed to <c>seq_len</c>. Items are long [N, L] in 0..V−1 (V includes [PAD] and [EOS]; the mask
/// token of masked diffusion is V). Samples are written as text (entries separated by lines holding only <c>%</c>, the
/// fortune-file format) and scored by generative perplexity, unigram entropy, distinct-n and the nearest training match.
/// </summary>
// Diversity is better higher (the names say nothing); copying the corpus and perplexity are better lower.
[MetricGoal("distinct_1", MetricGoal.Maximize)]
[MetricGoal("distinct_2", MetricGoal.Maximize)]
[MetricGoal("unigram_entropy", MetricGoal.Maximize)]
[MetricGoal("nearest_match", MetricGoal.Minimize)]
[MetricGoal("copied_fraction", MetricGoal.Minimize)]
[MetricGoal("gen_ppl", MetricGoal.Minimize)]
[MetricGoal("gen_ppl_heldout", MetricGoal.Minimize)]
[Plugin(PluginKind.Modality, "text", Options = typeof(TextModalityOptions),
    Description = "Text (built-in, files or fortunes; char or gpt2 tokens): token sequences, samples as text, text metrics.")]
public sealed class TextModality(TextModalityOptions options) : ITextModality
{
    /// <summary>Samples shown in the log after writing.</summary>
    private const int LoggedSamples = 3;

    private readonly Lazy<TextDataset> _dataset = new(() => TextDataset.Load(options));

    internal TextDataset Dataset => _dataset.Value;

    internal TextModalityOptions Options => options;

    /// <inheritdoc />
    public DataSpec Spec => new("tokens", [options.SeqLen], VocabSize: Dataset.Tokenizer.VocabSize);

    /// <inheritdoc />
    public int EndOfText => Dataset.Tokenizer.EndOfText;

    /// <inheritdoc />
    public int Pad => Dataset.Tokenizer.Pad;

    /// <inheritdoc />
    public IReadOnlyList<int> Encode(string text) => Dataset.Tokenizer.Encode(text);

    /// <inheritdoc />
    public ModalityData Load(DataSplit split)
    {
        var rows = split == DataSplit.Train ? Dataset.TrainRows : Dataset.TestRows;
        var items = rows.Count == 0
            ? zeros([0, options.SeqLen], dtype: ScalarType.Int64)
            : tensor(rows.SelectMany(r => r).ToArray(), [rows.Count, options.SeqLen], dtype: ScalarType.Int64);
        return new ModalityData(items, null, null);
    }

    /// <inheritdoc />
    public void WriteSamples(Tensor samples, string name, IRunContext context)
    {
        var texts = Decode(samples);
        context.Artifacts.Write($"{name}.txt", TextSamples.ArtifactKind, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false));
            writer.Write(TextSamples.Format(texts));
        });
        foreach (var text in texts.Take(LoggedSamples))
            context.Logger.LogInformation("{Stage} sample: {Text}", name, text.Replace("\n", " / ", StringComparison.Ordinal));
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Evaluate(Tensor samples, ModalityData reference, IRunContext context)
    {
        var rows = Rows(samples);
        var content = rows.Select(r => (IReadOnlyList<int>)Dataset.ContentTokens(r)).ToList();
        var results = new Dictionary<string, double>
        {
            ["unigram_entropy"] = TextMetrics.UnigramEntropy(content),
            ["distinct_1"] = TextMetrics.DistinctN(content, 1),
            ["distinct_2"] = TextMetrics.DistinctN(content, 2),
            ["mean_tokens"] = content.Count == 0 ? 0 : content.Average(c => c.Count),
        };
        var trainContent = Dataset.TrainRows.Select(r => (IReadOnlyList<int>)Dataset.ContentTokens(r)).ToList();
        results["corpus_unigram_entropy"] = TextMetrics.UnigramEntropy(trainContent);
        var nearest = TextMetrics.NearestMatch(content, trainContent.Take(options.MatchEntries).ToList());
        results["nearest_match"] = nearest.Length == 0 ? 0 : nearest.Average();
        results["copied_fraction"] = nearest.Length == 0 ? 0 : nearest.Count(s => s >= 1) / (double)nearest.Length;

        if (options.GenPplSteps > 0)
        {
            string cache = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(context.Artifacts.Root)) ?? ".", "cache");
            var tokenizer = Dataset.Tokenizer;
            var settings = new ScorerSettings(options.GenPplSteps, options.GenPplHidden, options.GenPplLayers, options.GenPplHeads,
                options.GenPplBatchSize, options.GenPplLr);
            using var scorer = AutoregressiveScorer.For(Dataset.TrainRows, tokenizer.VocabSize, tokenizer.Pad, tokenizer.EndOfText,
                settings, cache, context.Logger);
            results["gen_ppl"] = scorer.Perplexity(rows);
            if (Dataset.TestRows.Count > 0) results["gen_ppl_heldout"] = scorer.Perplexity(Dataset.TestRows);
        }
        return results;
    }

    /// <summary>The text of each sample row.</summary>
    internal List<string> Decode(Tensor samples) => Rows(samples).Select(r => Dataset.Decode(r)).ToList();

    private List<long[]> Rows(Tensor samples)
    {
        if (samples.dim() != 2 || samples.is_floating_point())
            throw new PluginInputException(
                $"the text modality reads token samples [N, L] (integers), got {samples.dtype} [{string.Join(", ", samples.shape)}]; sample with a token sampler such as mdlm");
        var cpu = samples.cpu().to_type(ScalarType.Int64).contiguous();
        var values = cpu.data<long>().ToArray();
        long length = samples.shape[1];
        return Enumerable.Range(0, (int)samples.shape[0]).Select(i => values.AsSpan((int)(i * length), (int)length).ToArray()).ToList();
    }
}
