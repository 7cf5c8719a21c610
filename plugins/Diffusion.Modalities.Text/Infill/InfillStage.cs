using Diffusion.Abstractions.Modalities;
using Diffusion.Abstractions.Samplers;
using Diffusion.Abstractions.Stages;
using Microsoft.Extensions.Logging;

namespace Diffusion.Modalities.Text.Infill;

/// <summary>
/// Completes text templates with a model trained by a token sampler: each template's literal text (a prefix, a suffix,
/// spans) is kept exactly and its holes are generated, <c>count</c> times per template. Row i (template i / count) draws
/// from its own generator (run seed, i), so completions do not depend on the batch size. A conditional model (an image
/// captioner with <c>conditions: test</c>: row i completes the caption of held-out image i) is sampled with its
/// conditions and classifier-free guidance like the <c>sample</c> stage. The completions become the current samples (for
/// an evaluate stage) and are written as text; every kept token is checked after sampling.
/// </summary>
[Plugin(PluginKind.Stage, "infill", Options = typeof(InfillStageOptions),
    Description = "Fills the holes of text templates ({N}, {*}) with a token diffusion model, keeping the rest exactly; conditions and guidance as sample.")]
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
        var sampler = context.Component<ISampler>(options.Sampler) as ITokenSampler
            ?? throw new PluginInputException($"stage '{context.StageName}': sampler '{options.Sampler}' is not a token sampler; use mdlm or d3pm-uniform");
        var text = context.Component<IModality>(options.Data) as ITextModality
            ?? throw new PluginInputException($"stage '{context.StageName}': data '{options.Data}' is not a text modality (plugin: text or image-caption)");
        int mask = model.Data.VocabSize;
        int length = (int)model.Data.ItemShape[0];
        if (mask != text.Spec.VocabSize || length != text.Spec.ItemShape[0])
            throw new PluginInputException($"stage '{context.StageName}': model '{options.Model}' was trained on other token data than '{options.Data}' gives (vocabulary or seq_len differ)");

        var templates = options.Templates.Select(t => InfillTemplate.Expand(t, text, length, mask)).ToList();
        var rows = templates.SelectMany(t => Enumerable.Repeat(t, options.Count)).ToList();
        using var masked = tensor(rows.SelectMany(r => r).ToArray(), [rows.Count, length], dtype: ScalarType.Int64);
        using var conditions = SampleConditioning.Create(options, model, options.Model, options.Data, rows.Count, context);

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
                    Conditioning = conditions.Batch(first, n, context.Device),
                    Guidance = conditions.Guidance,
                    Progress = progress,
                    ProgressOffset = (long)batch * options.Steps,
                    Cancellation = context.Cancellation,
                    Statistics = statistics,
                };
                var input = masked.narrow(0, first, n).to(context.Device);
                var output = sampler.Infill(input, sampling).cpu();
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
        context.Logger.LogInformation("filled {Templates} templates x {Count} with {Steps} steps", templates.Count, options.Count, options.Steps);
        if (options.GuidanceScale > 0) context.Tracker.LogMetric($"{context.StageName}/guidance_scale", options.GuidanceScale, 0);
        // What the rows were conditioned on goes into the state before the data writes them (image-caption writes each
        // completion beside its image's true caption).
        context.State.Samples = new GeneratedSamples(all, conditions.Labels?.clone(),
            conditions.FromHeldOutItems ? arange(rows.Count, dtype: ScalarType.Int64) : null);
        text.WriteSamples(all, context.StageName, context);
    }

    /// <summary>Every position that was not a hole must come back unchanged, and no hole may stay masked.</summary>
    private void CheckKept(Tensor input, Tensor output, int mask)
    {
        using var scope = NewDisposeScope();
        var holes = input.eq(mask);
        if (!where(holes, input, output).eq(input).all().item<bool>() || output.eq(mask).any().item<bool>())
            throw new InvalidOperationException($"sampler '{options.Sampler}' changed kept tokens or left holes unfilled");
    }
}
