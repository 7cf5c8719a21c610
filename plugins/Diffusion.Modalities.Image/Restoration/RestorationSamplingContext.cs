using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Schedulers;
using static TorchSharp.torch;

namespace Diffusion.Modalities.Image.Restoration;

/// <summary>
/// What a sampler (or the RePaint loop) sees while it restores one batch: the trained network with an optional
/// condition, a schedule (the model's own, or its first timesteps for SDEdit), and the batch's own generators.
/// </summary>
internal sealed class RestorationSamplingContext(
    TrainedModel model,
    NoiseSchedule schedule,
    int steps,
    SampleGenerators generators,
    Conditioning? conditioning,
    IProgressTask progress,
    long progressOffset,
    CancellationToken cancellation) : ISamplingContext
{
    public NoiseSchedule Schedule { get; } = schedule;

    public int Steps { get; } = steps;

    public Tensor Predict(Tensor x, Tensor t)
    {
        if (t.dim() == 0) t = t.expand(x.shape[0]);
        return model.Network.forward(x, t.to(x.device).to_type(ScalarType.Float32), conditioning);
    }

    public Tensor RandnLike(Tensor like) => generators.Randn(like.shape[1..], like.device, like.dtype);

    public void OnStep(int step, int total)
    {
        cancellation.ThrowIfCancellationRequested();
        progress.Report(progressOffset + step);
    }
}
