using static TorchSharp.torch;

namespace Diffusion.Abstractions.Samplers;

/// <summary>
/// The consistency function of a consistency-distilled model (Song et al. 2023, eq. 3 and appendix C), shared by the
/// <c>distill</c> stage that trains it and the <c>consistency</c> sampler that draws from it: at noise level σ
/// (σ² = (1 − ᾱ)/ᾱ, the schedule's σ of the variance-preserving x_t), f(x_t, t) = c_skip(σ)·x_t/√ᾱ + c_out(σ)·x̂0(x_t, t),
/// where x̂0 is the network's clean estimate under the schedule's prediction type, c_skip(σ) = σ_d²/(σ² + σ_d²) and
/// c_out(σ) = σ·σ_d/√(σ² + σ_d²) with σ_d = 0.5 and σ_min = 0. At σ = 0, f is the identity (the boundary condition),
/// whatever the network outputs.
/// </summary>
public static class ConsistencyFunction
{
    /// <summary>σ_d, the data standard deviation the scalings assume (images in [−1, 1]).</summary>
    public const double SigmaData = 0.5;

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
