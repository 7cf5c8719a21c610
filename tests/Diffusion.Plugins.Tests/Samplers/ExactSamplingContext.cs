namespace Diffusion.Plugins.Tests.Samplers;

/// <summary>
/// A sampling context whose model is an exact denoiser, reporting what a network trained on <paramref name="schedule"/>
/// would output (ε, v, x0 or the EDM F, worked out here from first principles rather than through the code under test).
/// At a fractional timestep the model's noise level is <see cref="NoiseSchedule.SigmaAt"/>. Noise comes from one
/// generator, or, with <paramref name="perSample"/>, row i from its own generator (seed, <paramref name="first"/> + i)
/// as in the host (slower for large batches).
/// </summary>
internal sealed class ExactSamplingContext(NoiseSchedule schedule, int steps, ExactData data, long seed = 1, bool perSample = false, long first = 0)
    : ISamplingContext, IDisposable
{
    private readonly Generator _generator = new((ulong)seed);
    private SampleGenerators? _generators;

    public NoiseSchedule Schedule { get; } = schedule;
    public int Steps { get; } = steps;

    /// <summary>Model evaluations so far.</summary>
    public int Evaluations { get; private set; }

    /// <summary>Rows of noise drawn, per call.</summary>
    public int NoiseDraws { get; private set; }

    /// <summary>The (step, total) of each OnStep call.</summary>
    public List<(int Step, int Total)> Progress { get; } = [];

    /// <summary>The noise level of each evaluation, in order.</summary>
    public List<double> Sigmas { get; } = [];

    public Tensor Predict(Tensor x, Tensor t)
    {
        Assert.Equal(x.shape[0], t.shape[0]);
        Assert.True(t.is_floating_point());
        Assert.True((t == t[0]).all().item<bool>(), "one timestep per call");
        Evaluations++;
        double sigma = Schedule.SigmaAt(t[0].to_type(ScalarType.Float64).item<double>());
        Sigmas.Add(sigma);
        if (KeepLastCall)
        {
            LastCall?.X.Dispose();
            LastCall = (x.clone().DetachFromDisposeScope(), sigma);
        }
        return Output(Schedule.Prediction, data, x * Math.Sqrt(1 + sigma * sigma), sigma);
    }

    /// <summary>Keep the input of the last model call in <see cref="LastCall"/>.</summary>
    public bool KeepLastCall { get; init; }

    /// <summary>The model's input x_t and noise level at the last call, when <see cref="KeepLastCall"/> is set.</summary>
    public (Tensor X, double Sigma)? LastCall { get; private set; }

    /// <summary>The exact clean estimate D at the last call.</summary>
    public Tensor LastDenoised()
    {
        var (x, sigma) = LastCall ?? throw new InvalidOperationException("no call kept");
        return data.Denoise(x * Math.Sqrt(1 + sigma * sigma), sigma);
    }

    /// <summary>The raw output of an exact model predicting <paramref name="prediction"/> at x_σ = <paramref name="x"/>.</summary>
    public static Tensor Output(PredictionType prediction, ExactData data, Tensor x, double sigma)
    {
        using var scope = NewDisposeScope();
        var x0 = data.Denoise(x, sigma);
        var eps = (x - x0) / sigma;
        double a = 1 / Math.Sqrt(1 + sigma * sigma), s = sigma / Math.Sqrt(1 + sigma * sigma);
        const double sd = NoiseSchedule.EdmSigmaData;
        return scope.MoveToOuter(prediction switch
        {
            PredictionType.Epsilon => eps,
            PredictionType.Sample => x0,
            PredictionType.VPrediction => eps * a - x0 * s,
            PredictionType.Edm => (x0 * sigma - eps * (sd * sd)) / (sd * Math.Sqrt(sigma * sigma + sd * sd)),
            _ => throw new InvalidOperationException(),
        });
    }

    public Tensor RandnLike(Tensor like)
    {
        NoiseDraws++;
        NoiseDrawSteps.Add(Progress.Count + 1);
        if (!perSample) return randn(like.shape, dtype: like.dtype, generator: _generator).to(like.device);
        _generators ??= new SampleGenerators(seed, "sample", first, (int)like.shape[0]);
        Assert.Equal(_generators.Count, like.shape[0]);
        return _generators.Randn(like.shape[1..], like.device, like.dtype);
    }

    /// <summary>The (1-based) step during which each noise draw happened.</summary>
    public List<int> NoiseDrawSteps { get; } = [];

    public void OnStep(int step, int total) => Progress.Add((step, total));

    public void Dispose()
    {
        LastCall?.X.Dispose();
        _generator.Dispose();
        _generators?.Dispose();
    }
}
