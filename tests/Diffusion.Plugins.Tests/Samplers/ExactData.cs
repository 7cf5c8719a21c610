namespace Diffusion.Plugins.Tests.Samplers;

/// <summary>
/// Data whose exact denoiser D(x; σ) = E[x0 | x0 + σ·ε = x] is known in closed form, in σ space.
/// </summary>
internal abstract class ExactData
{
    public abstract int Dims { get; }

    /// <summary>The exact D(x; σ) for x [B, Dims].</summary>
    public abstract Tensor Denoise(Tensor x, double sigma);

    /// <summary>The data's mean and covariance.</summary>
    public abstract (double[] Mean, double[,] Covariance) Moments { get; }
}

/// <summary>
/// x0 ~ N(mu, diag(s²)): x_σ ~ N(mu, s² + σ²), so D(x; σ) = mu + s²/(s² + σ²)·(x − mu), and the probability-flow ODE
/// dx/dσ = (x − D)/σ = σ(x − mu)/(s² + σ²) is solved by x(σ) − mu ∝ √(s² + σ²).
/// </summary>
internal sealed class GaussianExact(double[] mu, double[] std) : ExactData
{
    public double[] Mu { get; } = mu;
    public double[] Std { get; } = std;

    public override int Dims => Mu.Length;

    public override Tensor Denoise(Tensor x, double sigma)
    {
        using var scope = NewDisposeScope();
        var m = tensor(Mu, dtype: x.dtype, device: x.device);
        var gain = tensor(Std.Select(s => s * s / (s * s + sigma * sigma)).ToArray(), dtype: x.dtype, device: x.device);
        return scope.MoveToOuter(m + gain * (x - m));
    }

    /// <summary>The exact ODE solution at σ = 0 from x at <paramref name="sigmaStart"/>.</summary>
    public Tensor Flow(Tensor x, double sigmaStart, double sigmaEnd = 0)
    {
        using var scope = NewDisposeScope();
        var m = tensor(Mu, dtype: x.dtype, device: x.device);
        var gain = tensor(Std.Select(s => Math.Sqrt((s * s + sigmaEnd * sigmaEnd) / (s * s + sigmaStart * sigmaStart))).ToArray(), dtype: x.dtype, device: x.device);
        return scope.MoveToOuter(m + gain * (x - m));
    }

    public override (double[] Mean, double[,] Covariance) Moments
    {
        get
        {
            var cov = new double[Dims, Dims];
            for (int d = 0; d < Dims; d++) cov[d, d] = Std[d] * Std[d];
            return (Mu, cov);
        }
    }
}

/// <summary>
/// A 2-D mixture Σ_k w_k N(m_k, diag(s_k²)). With x = x0 + σ·ε, component k gives x ~ N(m_k, s_k² + σ²), so
/// D(x; σ) = Σ_k r_k(x)·(m_k + s_k²/(s_k² + σ²)·(x − m_k)) with r_k the posterior component probabilities.
/// </summary>
internal sealed class MixtureExact((double Weight, double[] Mean, double[] Std)[] components) : ExactData
{
    public override int Dims => 2;

    public override Tensor Denoise(Tensor x, double sigma)
    {
        using var scope = NewDisposeScope();
        var logits = new List<Tensor>();
        var means = new List<Tensor>();
        foreach (var (weight, mean, std) in components)
        {
            var m = tensor(mean, dtype: x.dtype, device: x.device);
            var variance = tensor(std.Select(s => s * s + sigma * sigma).ToArray(), dtype: x.dtype, device: x.device);
            var centred = x - m;
            logits.Add(Math.Log(weight) - 0.5 * (centred.square() / variance + variance.log()).sum(1));
            var gain = tensor(std.Select(s => s * s / (s * s + sigma * sigma)).ToArray(), dtype: x.dtype, device: x.device);
            means.Add(m + gain * centred);
        }
        var r = stack(logits.ToArray(), 1).softmax(1);          // [B, K]
        var posterior = stack(means.ToArray(), 1);              // [B, K, 2]
        return scope.MoveToOuter((r.unsqueeze(2) * posterior).sum(1));
    }

    public override (double[] Mean, double[,] Covariance) Moments
    {
        get
        {
            var mean = new double[2];
            foreach (var (w, m, _) in components) for (int d = 0; d < 2; d++) mean[d] += w * m[d];
            var cov = new double[2, 2];
            foreach (var (w, m, s) in components)
                for (int a = 0; a < 2; a++)
                    for (int b = 0; b < 2; b++)
                        cov[a, b] += w * ((a == b ? s[a] * s[a] : 0) + (m[a] - mean[a]) * (m[b] - mean[b]));
            return (mean, cov);
        }
    }

    /// <summary>Two overlapping elongated clusters of unequal weight.</summary>
    public static MixtureExact TwoClusters() => new([
        (0.3, [-0.6, -0.3], [0.25, 0.15]),
        (0.7, [0.5, 0.4], [0.2, 0.35]),
    ]);
}
