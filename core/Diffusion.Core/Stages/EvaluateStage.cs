using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Modalities;
using Diffusion.Abstractions.Options;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Stages;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Diffusion.Core.Stages;

/// <summary>Options of the <c>evaluate</c> stage.</summary>
public sealed class EvaluateStageOptions
{
    /// <summary>The modality whose held-out split is the reference and whose metrics score the samples.</summary>
    [Required, ComponentRef(PluginKind.Modality), Description("Modality component: reference data and metrics.")]
    public string Data { get; set; } = "";

    /// <summary>A trained model to measure the held-out denoising loss of (optional).</summary>
    [ComponentRef(PluginKind.Denoiser), Description("Trained denoiser to measure held-out denoising loss (optional).")]
    public string? Model { get; set; }

    /// <summary>Held-out items used for the denoising loss.</summary>
    [Range(1, 100_000), Description("Held-out items used for the denoising loss.")]
    public int LossItems { get; set; } = 256;

    /// <summary>Noise levels per item for the denoising loss, evenly spaced over the schedule.</summary>
    [Range(1, 1000), Description("Noise levels per item for the denoising loss, evenly spaced.")]
    public int LossTimesteps { get; set; } = 10;
}

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
        if (context.State.ContainsKey(StateKeys.Samples))
        {
            foreach (var (key, value) in modality.Evaluate(StageHelpers.Samples(context), reference, context))
                results[key] = value;
        }
        if (options.Model is not null)
            results["denoise_loss"] = HeldOutLoss(StageHelpers.TrainedModel(context, options.Model), reference, context);

        foreach (var (key, value) in results.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            context.Tracker.LogMetric("eval/" + key, value, 0);
            context.Logger.LogInformation("eval/{Key} = {Value:0.#####}", key, value);
        }
    }

    private double HeldOutLoss(TrainedModel model, ModalityData reference, IRunContext context)
    {
        int items = (int)Math.Min(options.LossItems, reference.Count);
        var schedule = model.Schedule;
        var lowResolution = LowResolutionCondition.Recorded(context.State, options.Model!); // super-resolution models see their condition
        double total = 0;
        int batches = 0;
        using var noGrad = no_grad();
        for (int level = 0; level < options.LossTimesteps; level++)
        {
            using var scope = NewDisposeScope();
            long t = (long)Math.Round((level + 0.5) * schedule.Timesteps / options.LossTimesteps);
            t = Math.Clamp(t, 0, schedule.Timesteps - 1);
            using var generators = context.GeneratorsFor(0, items, "eval-noise-" + level);
            var x0 = reference.Items.narrow(0, 0, items).to(context.Device);
            var noise = generators.Randn(model.Data.ItemShape, context.Device);
            var ts = full([items], t, dtype: ScalarType.Int64, device: context.Device);
            var xt = schedule.AddNoise(x0, noise, ts);
            var labels = reference.Labels?.narrow(0, 0, items).to(context.Device);
            var conditioning = labels is null ? null : new Conditioning(ClassLabels: labels);
            if (lowResolution is var (scale, upsample))
                conditioning = (conditioning ?? new Conditioning()) with { Concat = LowResolutionCondition.Of(x0, scale, upsample) };
            var output = model.Network.forward(xt, ts.to_type(ScalarType.Float32), conditioning);
            total += nn.functional.mse_loss(output, schedule.TrainingTarget(x0, noise, ts)).item<float>();
            batches++;
        }
        return total / batches;
    }
}
