using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Schedulers;
using static TorchSharp.torch;

namespace Diffusion.Bench.Samplers;

/// <summary>What a sampler sees in the bench: the trained network, its schedule, per-sample generators; counts evaluations.</summary>
internal sealed class BenchSamplingContext(TrainedModel model, int steps, SampleGenerators generators) : ISamplingContext
{
    public NoiseSchedule Schedule => model.Schedule;

    public int Steps { get; } = steps;

    /// <summary>Network evaluations of one sample (calls, whatever the batch size).</summary>
    public int Evaluations { get; private set; }

    public Tensor Predict(Tensor x, Tensor t)
    {
        Evaluations++;
        return model.Network.forward(x, t.to(x.device).to_type(ScalarType.Float32), null);
    }

    public Tensor RandnLike(Tensor like) => generators.Randn(like.shape[1..], like.device, like.dtype);

    public void OnStep(int step, int total) { }
}
