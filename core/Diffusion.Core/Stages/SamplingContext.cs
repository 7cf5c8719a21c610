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
    IDictionary<string, double>? statistics = null) : ISamplingContext
{
    public NoiseSchedule Schedule => model.Schedule;

    public int Steps { get; } = steps;

    public DataSpec Data => model.Data;

    public Tensor Predict(Tensor x, Tensor t)
    {
        if (t.dim() == 0) t = t.expand(x.shape[0]);
        return model.Network.forward(x, t.to(x.device).to_type(ScalarType.Float32), conditioning);
    }

    public Tensor RandnLike(Tensor like) => generators.Randn(like.shape[1..], like.device, like.dtype);

    public void Report(string key, double value)
    {
        if (statistics is not null) statistics[key] = statistics.TryGetValue(key, out double sum) ? sum + value : value;
    }

    public void OnStep(int step, int total)
    {
        cancellation.ThrowIfCancellationRequested();
        progress.Report(step);
    }
}
