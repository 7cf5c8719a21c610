using static TorchSharp.torch;

namespace Diffusion.Abstractions.Samplers;

/// <summary>
/// The consistency function of a consistency-distilled model (Song et al. 2023, eq. 3 and appendix C), shared by the
/// <c>distill</c> stage that trains it and the <c>consistency</c> sampler that draws from it: at noise level σ
/// (σ² = (1 − ᾱ)/ᾱ, the schedule's σ of the variance-preserving x_t), f(x_t, t) = c_skip(σ)·x_t/√ᾱ + c_out(σ)·x̂0(x_t, t),
/// where x̂0 is the network's clean estimate under the schedule's prediction type, c_skip(σ) = σ_d²/(σ² + σ_d²) and
/// c_out(σ) = σ·σ_d/√(σ² + σ_d²) with σ_d = 0.5 and σ_min = 0. At σ = 0, f is the identity (the boundary condition),
/// whatever the network outputs. The ODE is followed from <see cref="MaxTimestep"/>, the noisiest timestep with
/// σ ≤ <see cref="SigmaMax"/> (EDM's and the paper's 80), not from a schedule's last timestep, where σ can reach 10⁴ (a
/// cosine schedule) and an ε-predicting network's x̂0 = (x_t − √(1 − ᾱ)·ε̂)/√ᾱ multiplies its error by σ.
/// </summary>
public static class ConsistencyFunction
{
    /// <summary>σ_d, the data standard deviation the scalings assume (images in [−1, 1]).</summary>
    public const double SigmaData = 0.5;

    /// <summary>The largest noise level the consistency function is trained and sampled at.</summary>
    public const double SigmaMax = 80.0;

    /// <summary>The noisiest training timestep whose σ is at most <see cref="SigmaMax"/> (the last one when every σ is).</summary>
    public static int MaxTimestep(NoiseSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        double[] ab = schedule.AlphasCumprod;
        for (int t = ab.Length - 1; t > 0; t--)
            if (ab[t] > 0 && (1 - ab[t]) / ab[t] <= SigmaMax * SigmaMax) return t;
        return 0;
    }

    /// <summary>
    /// The timesteps a consistency model is trained and sampled on for <paramref name="steps"/> steps: trailing spacing
    /// over 0 .. <see cref="MaxTimestep"/>, noisiest first.
    /// </summary>
    public static int[] Timesteps(NoiseSchedule schedule, int steps) => SamplingTimesteps.Select(MaxTimestep(schedule) + 1, steps, TimestepSpacing.Trailing);

    /// <summary>(c_skip, c_out) at noise level σ.</summary>
    public static (double Skip, double Out) Scalings(double sigma) =>
        (SigmaData * SigmaData / (sigma * sigma + SigmaData * SigmaData), sigma * SigmaData / Math.Sqrt(sigma * sigma + SigmaData * SigmaData));

    /// <summary>
    /// f(x_t, t) from the network's raw <paramref name="output"/> at the variance-preserving <paramref name="xt"/> and
    /// timesteps <paramref name="t"/> (shape [1] or [B], possibly fractional).
    /// </summary>
    public static Tensor Apply(NoiseSchedule schedule, Tensor xt, Tensor t, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        using var scope = NewDisposeScope();
        var x0 = schedule.Split(xt, t, output).X0;
        var ab = schedule.AlphaBarAt(t, xt).clamp_min(NoiseSchedule.MinAlphaBarForSigmas);
        var sigma2 = (1 - ab) / ab;
        const double sd2 = SigmaData * SigmaData;
        var skip = sd2 / (sigma2 + sd2);
        var cOut = sigma2.sqrt() * SigmaData / (sigma2 + sd2).sqrt();
        return scope.MoveToOuter(skip * (xt / ab.sqrt()) + cOut * x0);
    }
}
