using Diffusion.Abstractions.Distributed;

namespace Diffusion.Stages;

/// <summary>
/// Scores the current samples with the modality's metrics against its held-out split, and (with a model) the
/// held-out denoising loss at evenly spaced timesteps with fixed noise, so it is comparable across runs.
/// Metrics are logged as <c>eval/NAME</c>.
/// </summary>
[Plugin(PluginKind.Stage, "evaluate", Options = typeof(EvaluateStageOptions), Description = "Scores samples and held-out loss; logs eval/* metrics.")]
public sealed class EvaluateStage(EvaluateStageOptions options) : IStage
{
    /// <inheritdoc />
    public void Run(IRunContext context)
    {
        var modality = context.Component<IModality>(options.Data);
        using var reference = modality.Load(DataSplit.Test);
        var results = new Dictionary<string, double>(StringComparer.Ordinal);
        if (context.State.Samples is { Values: var samples })
        {
            StageHelpers.RequireFinite(samples, $"stage '{context.StageName}' refuses to score its samples");
            foreach (var (key, value) in modality.Evaluate(samples, reference, context))
                results[key] = value;
        }
        if (options.Model is not null)
        {
            var model = StageHelpers.TrainedModel(context, options.Model);
            if (model.Data.VocabSize > 0 && model.Data.ItemShape.Length == 1)
            {
                double nelbo = HeldOutNelbo(model, TokenSampler(context), reference, context);
                results["nelbo"] = nelbo;
                results["nelbo_ppl"] = Math.Exp(nelbo);
            }
            else
            {
                results["denoise_loss"] = HeldOutLoss(model, reference, context);
            }
        }

        foreach (var (key, value) in results.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            context.Tracker.LogMetric("eval/" + key, value, 0);
            context.Logger.LogInformation("eval/{Key} = {Value:0.#####}", key, value);
        }
    }

    private ITokenSampler TokenSampler(IRunContext context) =>
        options.Sampler is null
            ? throw new PluginInputException(
                $"model '{options.Model}' generates tokens: its held-out loss is the NELBO of its token sampler; add 'sampler: NAME' (the sampler it was trained with) to stage '{context.StageName}'")
            : context.Component<ISampler>(options.Sampler) as ITokenSampler
              ?? throw new PluginInputException($"sampler '{options.Sampler}' is not a token sampler (such as mdlm or d3pm-uniform); name the one model '{options.Model}' was trained with");

    /// <summary>The mean held-out NELBO (nats per token), over <c>loss_timesteps</c> fixed draws per item.</summary>
    private double HeldOutNelbo(TrainedModel model, ITokenSampler sampler, ModalityData reference, IRunContext context)
    {
        int items = (int)Math.Min(options.LossItems, reference.Count);
        if (items == 0)
            throw new PluginInputException($"'{options.Data}' has no held-out items to measure the NELBO on; give it a test split (e.g. test_fraction > 0)");
        double total = 0;
        using var noGrad = no_grad();
        using var generator = new Generator(0, CPU);
        var communicator = context.Communicator;
        for (int draw = communicator.Rank; draw < options.LossTimesteps; draw += communicator.Size) // draws split over the ranks
        {
            using var scope = NewDisposeScope();
            generator.manual_seed((long)SampleGenerators.Mix((ulong)context.Seed ^ 0xe7a1, (ulong)draw));
            var x0 = reference.Items.narrow(0, 0, items).to(context.Device);
            var conditioning = reference.ItemConditioning(0, items, context.Device);
            total += sampler.Loss(x0, model.Data, (xt, t) => model.Network.forward(xt, t, conditioning), generator).mean().item<float>();
        }
        return SumOverRanks(communicator, total) / options.LossTimesteps;
    }

    /// <summary>The sum of every rank's <paramref name="value"/> (the value itself in a single process).</summary>
    private static double SumOverRanks(ICommunicator communicator, double value)
    {
        if (communicator.Size == 1) return value;
        Span<double> sum = [value];
        communicator.AllReduceSum(sum);
        return sum[0];
    }

    private double HeldOutLoss(TrainedModel model, ModalityData reference, IRunContext context)
    {
        int items = (int)Math.Min(options.LossItems, reference.Count);
        var schedule = model.Schedule;
        var lowResolution = LowResolutionCondition.Recorded(context.State, options.Model!); // super-resolution models see their condition
        double total = 0;
        int batches = 0;
        using var noGrad = no_grad();
        var communicator = context.Communicator;
        for (int level = communicator.Rank; level < options.LossTimesteps; level += communicator.Size) // levels split over the ranks
        {
            using var scope = NewDisposeScope();
            long t = (long)Math.Round((level + 0.5) * schedule.Timesteps / options.LossTimesteps);
            t = Math.Clamp(t, 0, schedule.Timesteps - 1);
            using var generators = context.GeneratorsFor(0, items, "eval-noise-" + level);
            var x0 = reference.Items.narrow(0, 0, items).to(context.Device);
            var noise = generators.Randn(model.Data.ItemShape, context.Device);
            var ts = full([items], t, dtype: ScalarType.Int64, device: context.Device);
            var xt = schedule.AddNoise(x0, noise, ts);
            var conditioning = reference.ItemConditioning(0, items, context.Device);
            if (lowResolution is var (scale, upsample))
                conditioning = (conditioning ?? new Conditioning()) with { Concat = LowResolutionCondition.Of(x0, scale, upsample) };
            var output = model.Network.forward(xt, ts.to_type(ScalarType.Float32), conditioning);
            total += nn.functional.mse_loss(output, schedule.TrainingTarget(x0, noise, ts)).item<float>();
            batches++;
        }
        return SumOverRanks(communicator, total) / SumOverRanks(communicator, batches);
    }
}
