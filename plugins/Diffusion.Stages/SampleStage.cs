using Diffusion.Abstractions.Distributed;
using Diffusion.Stages.Training;

namespace Diffusion.Stages;

/// <summary>
/// Draws samples from a trained model with a chosen sampler. Sample i starts from noise of its own generator
/// (run seed, i) and keeps it through the loop, so its values do not depend on the batch size.
/// </summary>
[Plugin(PluginKind.Stage, "sample", Options = typeof(SampleStageOptions), Description = "Draws samples from a trained model with a chosen sampler.")]
public sealed class SampleStage(SampleStageOptions options) : IStage
{
    /// <inheritdoc />
    public void Run(IRunContext context)
    {
        var model = StageHelpers.TrainedModel(context, options.Model);
        if (LowResolutionCondition.Recorded(context.State, options.Model) is var (scale, _))
            throw new PluginInputException(
                $"model '{options.Model}' was trained on a low-resolution condition (low_res_scale: {scale}), so it cannot sample without one: use a superres stage");
        var sampler = context.Component<ISampler>(options.Sampler);
        using var low = LowPrecisionNetwork(model, context);
        var network = low is null ? model : model with { Network = low };
        using var conditions = SampleConditioning.Create(options, model, options.Model, options.Data, options.Count, context);
        var samples = new List<Tensor>();
        // In a data-parallel run each rank draws its contiguous share of the samples (sample i is the same on any rank:
        // its noise comes from (seed, i)), and the shares are gathered on every rank below.
        var communicator = context.Communicator;
        var share = DataShard.Of(options.Count, communicator.Rank, communicator.Size);
        int begin = (int)share.Start, stop = (int)(share.Start + share.Count);
        using var progress = context.Progress.Start(context.StageName, (long)options.Steps * ((share.Count + options.BatchSize - 1) / options.BatchSize));
        int batchIndex = 0;
        var statistics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        using (no_grad())
        {
            for (int first = begin; first < stop; first += options.BatchSize, batchIndex++)
            {
                using var scope = NewDisposeScope();
                int n = Math.Min(options.BatchSize, stop - first);
                using var generators = context.GeneratorsFor(first, n, "sample");
                var noise = generators.Randn(model.Data.ItemShape, context.Device);
                var sampling = new SamplingContext(network, options.Steps, generators)
                {
                    NetworkType = low is null ? null : MixedPrecision.TypeOf(options.Precision),
                    Conditioning = conditions.Batch(first, n, context.Device),
                    Guidance = conditions.Guidance,
                    Progress = progress,
                    ProgressOffset = (long)batchIndex * options.Steps,
                    Cancellation = context.Cancellation,
                    Statistics = statistics,
                };
                var x = sampler.Sample(noise, sampling);
                samples.Add(scope.MoveToOuter(x.cpu()));
            }
        }
        var all = samples.Count > 0 ? cat(samples.ToArray()) : empty([0, .. model.Data.ItemShape]);
        foreach (var s in samples) s.Dispose();
        if (communicator.Size > 1)
        {
            var mine = all;
            all = communicator.AllGatherRows(mine, DataShard.All(options.Count, communicator.Size).Select(d => d.Count).ToArray());
            mine.Dispose();
        }
        try
        {
            StageHelpers.RequireFinite(all, $"sampler '{options.Sampler}' in stage '{context.StageName}'");
        }
        catch (PluginInputException)
        {
            all.Dispose();
            throw;
        }
        if (options.Data is { } data && context.Component<IModality>(data) is ILatentModality latent)
        {
            // Latent diffusion: the samples are decoded once here, so everything after sees data as from a pixel model.
            var decoded = latent.Decode(all, context);
            all.Dispose();
            all = decoded;
            context.Logger.LogInformation("decoded the samples with the autoencoder of '{Data}' to [{Shape}]", data, string.Join(", ", all.shape[1..]));
        }
        context.Logger.LogInformation("drew {Count} samples with {Steps} steps", options.Count, options.Steps);
        foreach (var (key, value) in statistics)
        {
            context.Tracker.LogMetric($"{context.StageName}/{key}", value, 0);
            context.Logger.LogInformation("{Stage}/{Key} = {Value}", context.StageName, key, value);
        }
        // The raw samples (model space) for later scoring or comparison, readable by Python's safetensors.
        context.Artifacts.Write($"{context.StageName}.safetensors", "samples", stream => SafeTensors.Write(stream, [new("samples", all)]));
        // The samples go into the state with their labels and condition items (none when drawn without), before the data
        // component's WriteSamples, which may read them (a captioned modality writes the prompt of each sample beside the grid).
        var items = conditions.FromHeldOutItems ? arange(options.Count, dtype: ScalarType.Int64) : null;
        StageHelpers.PublishSamples(context, new GeneratedSamples(all, conditions.Labels?.clone(), items), options.Data);
        if (options.GuidanceScale > 0) context.Tracker.LogMetric($"{context.StageName}/guidance_scale", options.GuidanceScale, 0);
    }

    /// <summary>The bf16 or fp16 copy of the model's network that <c>precision</c> asks for; null for fp32.</summary>
    private DenoiserModule? LowPrecisionNetwork(TrainedModel model, IRunContext context)
    {
        if (options.Precision == Precision.Fp32) return null;
        MixedPrecision.WarnIfSlow(options.Precision, context.Device, context.Logger);
        var denoiser = context.Component<IDenoiser>(options.Model);
        return MixedPrecision.LowPrecisionCopy(model.Network, () => denoiser.Build(model.Data), context.Device, MixedPrecision.TypeOf(options.Precision));
    }
}
