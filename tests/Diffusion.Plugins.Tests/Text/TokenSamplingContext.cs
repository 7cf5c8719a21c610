using Diffusion.Modalities.Text.Samplers.Mdlm;

namespace Diffusion.Plugins.Tests.Text;

/// <summary>A sampling context for token samplers over a plain function: counts evaluations and collects reports.</summary>
internal sealed class TokenSamplingContext(int vocab, int length, int steps, Func<Tensor, Tensor, Tensor> predict, long seed = 7)
    : ISamplingContext, IDisposable
{
    private readonly Generator _generator = new((ulong)seed);

    public NoiseSchedule Schedule { get; } = MdlmSampler.LinearKeepSchedule(1000);
    public int Steps { get; } = steps;
    public DataSpec Data { get; } = new("tokens", [length], VocabSize: vocab);
    public int Evaluations { get; private set; }
    public Dictionary<string, double> Reports { get; } = [];
    public List<int> StepsReported { get; } = [];

    public Tensor Predict(Tensor x, Tensor t)
    {
        Evaluations++;
        return predict(x, t);
    }

    public Tensor RandnLike(Tensor like) => randn(like.shape, dtype: like.dtype, generator: _generator).to(like.device);

    public void Report(string key, double value) => Reports[key] = Reports.GetValueOrDefault(key) + value;

    public void OnStep(int step, int total) => StepsReported.Add(step);

    public void Dispose() => _generator.Dispose();
}
