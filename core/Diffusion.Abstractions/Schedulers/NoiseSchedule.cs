using static TorchSharp.torch;

namespace Diffusion.Abstractions.Schedulers;

/// <summary>
/// The discrete forward process q(x_t | x_0) = N(sqrt(ᾱ_t)·x_0, (1 − ᾱ_t)·I) for t = 0..T−1, and the
/// conversions between model outputs (epsilon, v, x0) that every sampler needs. Immutable.
/// </summary>
public sealed class NoiseSchedule
{
    private NoiseSchedule(double[] betas, PredictionType prediction, BetaSchedule kind)
    {
        Betas = betas;
        Prediction = prediction;
        Kind = kind;
        AlphasCumprod = new double[betas.Length];
        double prod = 1.0;
        for (int i = 0; i < betas.Length; i++)
        {
            prod *= 1.0 - betas[i];
            AlphasCumprod[i] = prod;
        }
    }

    /// <summary>β_t for t = 0..T−1.</summary>
    public IReadOnlyList<double> Betas { get; }

    /// <summary>ᾱ_t = Π_{s≤t} (1 − β_s).</summary>
    public double[] AlphasCumprod { get; }

    /// <summary>What the model trained on this schedule predicts.</summary>
    public PredictionType Prediction { get; }

    /// <summary>The beta spacing the schedule was built from.</summary>
    public BetaSchedule Kind { get; }

    /// <summary>Number of training timesteps T.</summary>
    public int Timesteps => Betas.Count;

    /// <summary>Builds a schedule. Cosine uses the squaredcos_cap_v2 form with betas capped at 0.999.</summary>
    public static NoiseSchedule Create(BetaSchedule kind, int timesteps, double betaStart, double betaEnd,
        PredictionType prediction, bool rescaleZeroTerminalSnr = false)
    {
        if (timesteps < 2) throw new ArgumentOutOfRangeException(nameof(timesteps), "needs at least 2 timesteps");
        var betas = new double[timesteps];
        for (int i = 0; i < timesteps; i++)
        {
            double f = (double)i / (timesteps - 1);
            betas[i] = kind switch
            {
                BetaSchedule.Linear => betaStart + f * (betaEnd - betaStart),
                BetaSchedule.ScaledLinear => Math.Pow(Math.Sqrt(betaStart) + f * (Math.Sqrt(betaEnd) - Math.Sqrt(betaStart)), 2),
                BetaSchedule.Sigmoid => betaStart + (betaEnd - betaStart) / (1 + Math.Exp(-(-6 + 12 * f))),
                BetaSchedule.Cosine => Math.Min(1 - CosineAlphaBar((i + 1.0) / timesteps) / CosineAlphaBar((double)i / timesteps), 0.999),
                _ => throw new ArgumentOutOfRangeException(nameof(kind)),
            };
        }
        if (rescaleZeroTerminalSnr) betas = RescaleToZeroTerminalSnr(betas);
        return new NoiseSchedule(betas, prediction, kind);
    }

    private static double CosineAlphaBar(double t) => Math.Pow(Math.Cos((t + 0.008) / 1.008 * Math.PI / 2), 2);

    /// <summary>Shifts and scales sqrt(ᾱ) so that sqrt(ᾱ_0) is kept and sqrt(ᾱ_{T−1}) becomes 0.</summary>
    private static double[] RescaleToZeroTerminalSnr(double[] betas)
    {
        int n = betas.Length;
        var sqrtAb = new double[n];
        double prod = 1;
        for (int i = 0; i < n; i++) { prod *= 1 - betas[i]; sqrtAb[i] = Math.Sqrt(prod); }
        double first = sqrtAb[0], last = sqrtAb[n - 1];
        for (int i = 0; i < n; i++) sqrtAb[i] = (sqrtAb[i] - last) * first / (first - last);
        var result = new double[n];
        double previous = 1;
        for (int i = 0; i < n; i++)
        {
            double ab = sqrtAb[i] * sqrtAb[i];
            result[i] = 1 - ab / previous;
            previous = ab;
        }
        return result;
    }

    /// <summary>ᾱ at (possibly fractional) timesteps <paramref name="t"/>, linearly interpolated, shaped for broadcasting against <paramref name="like"/>.</summary>
    public Tensor AlphaBarAt(Tensor t, Tensor like)
    {
        using var table = tensor(AlphasCumprod, dtype: ScalarType.Float64, device: t.device);
        var tf = t.to_type(ScalarType.Float64).clamp(0, Timesteps - 1);
        var lo = tf.floor().to_type(ScalarType.Int64);
        var hi = (lo + 1).clamp(max: Timesteps - 1);
        var w = tf - lo.to_type(ScalarType.Float64);
        var ab = table.index_select(0, lo) * (1 - w) + table.index_select(0, hi) * w;
        var shape = new long[like.dim()];
        Array.Fill(shape, 1L);
        shape[0] = -1;
        return ab.to_type(like.dtype).reshape(shape);
    }

    /// <summary>x_t = sqrt(ᾱ_t)·x_0 + sqrt(1 − ᾱ_t)·ε.</summary>
    public Tensor AddNoise(Tensor x0, Tensor noise, Tensor t)
    {
        var ab = AlphaBarAt(t, x0);
        return ab.sqrt() * x0 + (1 - ab).sqrt() * noise;
    }

    /// <summary>The regression target for the model output under <see cref="Prediction"/>.</summary>
    public Tensor TrainingTarget(Tensor x0, Tensor noise, Tensor t) => Prediction switch
    {
        PredictionType.Epsilon => noise.alias(),
        PredictionType.Sample => x0.alias(),
        PredictionType.VPrediction => VelocityOf(x0, noise, t),
        _ => throw new InvalidOperationException(),
    };

    private Tensor VelocityOf(Tensor x0, Tensor noise, Tensor t)
    {
        var ab = AlphaBarAt(t, x0);
        return ab.sqrt() * noise - (1 - ab).sqrt() * x0;
    }

    /// <summary>The model's estimates of x_0 and ε from its raw output at x_t.</summary>
    public (Tensor X0, Tensor Eps) Split(Tensor xt, Tensor t, Tensor output)
    {
        var ab = AlphaBarAt(t, xt);
        var a = ab.sqrt();
        var s = (1 - ab).sqrt();
        switch (Prediction)
        {
            case PredictionType.Epsilon:
                return ((xt - s * output) / a.clamp_min(1e-8), output.alias());
            case PredictionType.Sample:
                return (output.alias(), (xt - a * output) / s.clamp_min(1e-8));
            case PredictionType.VPrediction:
                return (a * xt - s * output, s * xt + a * output);
            default:
                throw new InvalidOperationException();
        }
    }

    /// <summary>Rebuilds a schedule from its betas (as stored in a checkpoint).</summary>
    public static NoiseSchedule FromBetas(double[] betas, PredictionType prediction, BetaSchedule kind) =>
        new((double[])betas.Clone(), prediction, kind);
}
