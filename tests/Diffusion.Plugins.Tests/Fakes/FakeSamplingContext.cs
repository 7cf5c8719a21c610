namespace Diffusion.Plugins.Tests.Fakes;

/// <summary>A sampling context over a plain function, recording what the sampler asked of it.</summary>
internal sealed class FakeSamplingContext(NoiseSchedule schedule, int steps, Func<Tensor, Tensor, Tensor> predict, long seed = 1)
    : ISamplingContext, IDisposable
{
    private readonly Generator _generator = new((ulong)seed);

    public NoiseSchedule Schedule { get; } = schedule;
    public int Steps { get; } = steps;

    /// <summary>The timestep of each Predict call, in order.</summary>
    public List<double> Timesteps { get; } = [];

    /// <summary>The (step, total) of each OnStep call.</summary>
    public List<(int Step, int Total)> Progress { get; } = [];

    public int NoiseDraws { get; private set; }

    /// <summary>The x, t and output of the last Predict call (kept alive, outside any scope).</summary>
    public (Tensor X, Tensor T, Tensor Output)? LastCall { get; private set; }

    public bool KeepLastCall { get; init; }

    public Tensor Predict(Tensor x, Tensor t)
    {
        Assert.Equal(x.shape[0], t.shape[0]);
        Assert.True(t.is_floating_point());
        Timesteps.Add(t[0].item<float>());
        var output = predict(x, t);
        if (KeepLastCall)
        {
            if (LastCall is { } previous) { previous.X.Dispose(); previous.T.Dispose(); previous.Output.Dispose(); }
            LastCall = (x.clone().DetachFromDisposeScope(), t.clone().DetachFromDisposeScope(), output.clone().DetachFromDisposeScope());
        }
        return output;
    }

    public Tensor RandnLike(Tensor like)
    {
        NoiseDraws++;
        return randn(like.shape, dtype: like.dtype, generator: _generator).to(like.device);
    }

    public void OnStep(int step, int total) => Progress.Add((step, total));

    public void Dispose()
    {
        _generator.Dispose();
        if (LastCall is { } last) { last.X.Dispose(); last.T.Dispose(); last.Output.Dispose(); }
    }
}
