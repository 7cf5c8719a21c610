using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Schedulers;
using static TorchSharp.torch;

namespace Diffusion.Core.Stages;

/// <summary>What a sampler sees while it samples one batch: the model, the schedule it was trained with, and the batch's own generators.</summary>
internal sealed class SamplingContext(
    TrainedModel model,
    int steps,
    SampleGenerators generators,
    Conditioning? conditioning,
    IProgressTask progress,
    CancellationToken cancellation,
    IDictionary<string, double>? statistics = null,
    ClassifierFreeGuidance? guidance = null) : ISamplingContext
{
    public NoiseSchedule Schedule => model.Schedule;

    public int Steps { get; } = steps;

    public DataSpec Data => model.Data;

    public Tensor Predict(Tensor x, Tensor t)
    {
        if (t.dim() == 0) t = t.expand(x.shape[0]);
        t = t.to(x.device).to_type(ScalarType.Float32);
        if (guidance is null || conditioning is null) return Finite(model.Network.forward(x, t, conditioning), x, t);
        using var scope = NewDisposeScope();
        var conditional = model.Network.forward(x, t, conditioning);
        var unconditional = model.Network.forward(x, t, guidance.Unconditional(conditioning, x.shape[0], x.device));
        return scope.MoveToOuter(Finite(guidance.Combine(conditional, unconditional), x, t));
    }

    /// <summary>The model's output, or a clear failure at the sampling step where it first stops being finite.</summary>
    private Tensor Finite(Tensor output, Tensor x, Tensor t)
    {
        if (!output.is_floating_point() || output.isfinite().all().item<bool>()) return output;
        string input = x.isfinite().all().item<bool>() ? "from a finite input" : "from a non-finite input (the sampler's previous update)";
        throw new PluginInputException(
            $"the model's output became non-finite at sampling step {completedSteps + 1} of {Steps} (t = {t[0].item<float>():0.###}) {input}: " +
            "the trained weights may hold NaN (see the train stage's loss) or the sampler diverged; run 'diffusion doctor' to check this machine's CPU kernels");
    }

    private int completedSteps;

    public Tensor RandnLike(Tensor like) => generators.Randn(like.shape[1..], like.device, like.dtype);

    public void Report(string key, double value)
    {
        if (statistics is not null) statistics[key] = statistics.TryGetValue(key, out double sum) ? sum + value : value;
    }

    public void OnStep(int step, int total)
    {
        completedSteps = step;
        cancellation.ThrowIfCancellationRequested();
        progress.Report(step);
    }
}

/// <summary>
/// Classifier-free guidance (Ho and Salimans 2022): output = (1+w)·cond − w·uncond, where the unconditional output comes
/// from the same network with the condition removed exactly as condition dropout removed it in training. Optional rescale
/// φ (Lin et al. 2024): the guided output is also rescaled to the conditional output's standard deviation per item, and
/// the two are blended by φ. Works on any output (noise, v, x0 or token logits).
/// </summary>
internal sealed class ClassifierFreeGuidance(double scale, double rescale, int numClasses)
{
    /// <summary>The guidance scale w.</summary>
    public double Scale { get; } = scale;

    /// <summary>The rescale blend φ.</summary>
    public double Rescale { get; } = rescale;

    /// <summary><paramref name="conditioning"/> with every item's condition removed.</summary>
    public Conditioning Unconditional(Conditioning conditioning, long batch, Device device) =>
        Training.ConditionDropout.Apply(conditioning, ones([batch], dtype: ScalarType.Bool, device: device), numClasses);

    /// <summary>The guided output from the conditional and unconditional ones.</summary>
    public Tensor Combine(Tensor conditional, Tensor unconditional)
    {
        var guided = conditional + Scale * (conditional - unconditional);
        if (Rescale == 0) return guided;
        var dims = Enumerable.Range(1, (int)conditional.dim() - 1).Select(d => (long)d).ToArray();
        var rescaled = guided * (conditional.std(dims, keepdim: true) / guided.std(dims, keepdim: true).clamp_min(1e-8));
        return Rescale * rescaled + (1 - Rescale) * guided;
    }
}

