using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Modalities;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Schedulers;
using Diffusion.Abstractions.Stages;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Diffusion.Modalities.Text.Infill;

/// <summary>
/// Completes text prompts with a model trained by a token scheduler: each prompt's literal text (a prefix, a suffix, spans)
/// is kept exactly and its holes are generated, <c>count</c> times per prompt. Row i (prompt i / count) draws from its own
/// generator (run seed, i), so completions do not depend on the batch size. The completions become the current samples
/// (for an evaluate stage) and are written as text; every kept token is checked after sampling.
/// </summary>
[Plugin(PluginKind.Stage, "infill", Options = typeof(InfillStageOptions),
    Description = "Fills the holes of text prompts ({N}, {*}) with a token diffusion model, keeping the rest exactly.")]
public sealed class InfillStage(InfillStageOptions options) : IStage
{
    /// <inheritdoc />
    public void Run(IRunContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = context.State.TryGetModel(options.Model, out var trained)
            ? trained
            : throw new PluginInputException(
                $"stage '{context.StageName}' needs a trained model for component '{options.Model}': add a train stage with model: {options.Model} before it");
        var scheduler = context.Component<IScheduler>(options.Scheduler) as ITokenScheduler
            ?? throw new PluginInputException($"stage '{context.StageName}': scheduler '{options.Scheduler}' is not a token scheduler; use mdlm or d3pm-uniform");
        var text = context.Component<IModality>(options.Data) as TextModality
            ?? throw new PluginInputException($"stage '{context.StageName}': data '{options.Data}' is not a text modality (plugin: text)");
        int mask = model.Data.VocabSize;
        int length = (int)model.Data.ItemShape[0];
        if (mask != text.Spec.VocabSize || length != text.Spec.ItemShape[0])
            throw new PluginInputException($"stage '{context.StageName}': model '{options.Model}' was trained on other token data than '{options.Data}' gives (vocabulary or seq_len differ)");

        var templates = options.Prompts.Select(p => InfillTemplate.Expand(p, text.Dataset.Tokenizer, length, mask)).ToList();
        var rows = templates.SelectMany(t => Enumerable.Repeat(t, options.Count)).ToList();
        using var prompts = tensor(rows.SelectMany(r => r).ToArray(), [rows.Count, length], dtype: ScalarType.Int64);

        var statistics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        var parts = new List<Tensor>();
        int batches = (rows.Count + options.BatchSize - 1) / options.BatchSize;
        using (var progress = context.Progress.Start(context.StageName, (long)options.Steps * batches))
        using (no_grad())
        {
            for (int first = 0, batch = 0; first < rows.Count; first += options.BatchSize, batch++)
            {
                using var scope = NewDisposeScope();
                int n = Math.Min(options.BatchSize, rows.Count - first);
                using var generators = context.GeneratorsFor(first, n, "infill");
                var sampling = new SamplingContext(model, options.Steps, generators)
                {
                    Progress = progress,
                    ProgressOffset = (long)batch * options.Steps,
                    Cancellation = context.Cancellation,
                    Statistics = statistics,
                };
                var input = prompts.narrow(0, first, n).to(context.Device);
                var output = scheduler.Infill(input, sampling).cpu();
                CheckKept(input.cpu(), output, mask);
                parts.Add(scope.MoveToOuter(output));
            }
        }
        var all = cat(parts.ToArray());
        foreach (var part in parts) part.Dispose();
        foreach (var (key, sum) in statistics)
        {
            context.Tracker.LogMetric($"{context.StageName}/{key}", sum, 0);
            context.Logger.LogInformation("{Stage}/{Key} = {Value}", context.StageName, key, sum);
        }
        context.Logger.LogInformation("filled {Prompts} prompts x {Count} with {Steps} steps", templates.Count, options.Count, options.Steps);
        context.State.Samples = new GeneratedSamples(all);
        text.WriteSamples(all, context.StageName, context);
    }

    /// <summary>Every position that was not a hole must come back unchanged, and no hole may stay masked.</summary>
    private void CheckKept(Tensor input, Tensor output, int mask)
    {
        using var scope = NewDisposeScope();
        var holes = input.eq(mask);
        if (!where(holes, input, output).eq(input).all().item<bool>() || output.eq(mask).any().item<bool>())
            throw new InvalidOperationException($"scheduler '{options.Scheduler}' changed kept tokens or left holes unfilled");
    }
}
