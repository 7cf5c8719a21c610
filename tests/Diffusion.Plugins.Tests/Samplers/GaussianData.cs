namespace Diffusion.Plugins.Tests.Samplers;

/// <summary>
/// Data x0 ~ N(mu, s²) independently per dimension, and its exact denoiser: with x_t = a·x0 + σ·ε
/// (a = √ᾱ_t, σ = √(1 − ᾱ_t)), x_t ~ N(a·mu, a²s² + σ²), so E[ε | x_t] = σ (x_t − a·mu) / (a²s² + σ²) and
/// E[x0 | x_t] = mu + a·s² (x_t − a·mu) / (a²s² + σ²); the optimal v is a·E[ε] − σ·E[x0].
/// </summary>
internal sealed class GaussianData(double[] mu, double[] std) : IDisposable
{
    private readonly Tensor _mu = tensor(mu, dtype: ScalarType.Float32).DetachFromDisposeScope();
    private readonly Tensor _std = tensor(std, dtype: ScalarType.Float32).DetachFromDisposeScope();

    public int Dims => mu.Length;

    public Tensor Optimal(NoiseSchedule schedule, Tensor x, Tensor t)
    {
        var ab = schedule.AlphaBarAt(t, x);
        var a = ab.sqrt();
        var sigma = (1 - ab).sqrt();
        var variance = a * a * _std.square() + sigma * sigma;
        var centred = x - a * _mu;
        var eps = sigma * centred / variance;
        var x0 = _mu + a * _std.square() * centred / variance;
        return schedule.Prediction switch
        {
            PredictionType.Epsilon => eps,
            PredictionType.Sample => x0,
            PredictionType.VPrediction => a * eps - sigma * x0,
            _ => throw new InvalidOperationException(),
        };
    }

    public void Dispose()
    {
        _mu.Dispose();
        _std.Dispose();
    }

    /// <summary>
    /// The std the DDPM sampler must produce from this exact denoiser, by following the variance through the
    /// steps: each step is linear in x_t, x_prev − E = (c0·k + ct)(x_t − E) + std·z with k = a·s² / (a²s² + σ²),
    /// and the last step returns k·(x_t − a·mu) + mu. Below the data's std when steps skip timesteps, because
    /// the posterior mean of x0 stands in for x0 (the lost term is Var(x0 | x_t)).
    /// </summary>
    public static double ExpectedSampleStd(NoiseSchedule schedule, int[] timesteps, double s, bool largeVariance)
    {
        double[] ab = schedule.AlphasCumprod;
        double variance = 1.0;
        for (int i = 0; ; i++)
        {
            int t = timesteps[i];
            double a = Math.Sqrt(ab[t]);
            double k = a * s * s / (a * a * s * s + 1 - ab[t]);
            if (i == timesteps.Length - 1) return Math.Abs(k) * Math.Sqrt(variance);
            double prev = ab[timesteps[i + 1]];
            double alpha = ab[t] / prev, beta = 1 - alpha;
            double c0 = Math.Sqrt(prev) * beta / (1 - ab[t]);
            double ct = Math.Sqrt(alpha) * (1 - prev) / (1 - ab[t]);
            double noise = largeVariance ? beta : (1 - prev) / (1 - ab[t]) * beta;
            variance = (c0 * k + ct) * (c0 * k + ct) * variance + noise;
        }
    }
}
