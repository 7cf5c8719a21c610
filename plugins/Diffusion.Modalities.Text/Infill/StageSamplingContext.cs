using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Schedulers;
using static TorchSharp.torch;

namespace Diffusion.Modalities.Text.Infill;

/// <summary>The sampling context the infill stage gives a token scheduler for one batch.</summary>
internal sealed class StageSamplingContext(TrainedModel model, int steps, SampleGenerators generators, IProgressTask progress,
    long progressOffset, CancellationToken cancellation, IDictionary<string, double> statistics) : ISamplingContext
{
    public NoiseSchedule Schedule => model.Schedule;

    public int Steps { get; } = steps;

    public DataSpec Data => model.Data;

    public Tensor Predict(Tensor x, Tensor t)
    {
        if (t.dim() == 0) t = t.expand(x.shape[0]);
        return model.Network.forward(x, t.to(x.device).to_type(ScalarType.Float32), null);
    }

    public Tensor RandnLike(Tensor like) => generators.Randn(like.shape[1..], like.device, like.dtype);

    public void Report(string key, double value) => statistics[key] = statistics.TryGetValue(key, out double sum) ? sum + value : value;

    public void OnStep(int step, int total)
    {
        cancellation.ThrowIfCancellationRequested();
        progress.Report(progressOffset + step);
    }
}
