namespace Diffusion.Samplers.Ddpm;

/// <summary>
/// Ancestral DDPM sampling (Ho et al. 2020): at each chosen timestep t, the model's x0 estimate gives the
/// mean of the posterior q(x_prev | x_t, x0) between t and the previous chosen timestep, and Gaussian noise
/// of the chosen variance is added, except at the last step, which returns the x0 estimate itself. Written
/// with ᾱ_t and ᾱ_prev, so it also works when steps skip timesteps.
/// </summary>
[Plugin(PluginKind.Sampler, "ddpm", Options = typeof(DdpmOptions),
    Description = "Ancestral DDPM sampler (Ho et al. 2020), with timestep skipping for fewer steps.")]
public sealed class DdpmSampler(DdpmOptions options) : TimestepSampler<DdpmOptions>(options)
{
    /// <inheritdoc />
    protected override Tensor Step(TimestepStep step)
    {
        var x0 = Options.ClipSample ? step.X0.clamp(-Options.ClipRange, Options.ClipRange) : step.X0;
        // ᾱ_prev = 1 on the last step: the posterior collapses onto x0, so the sample is the clean estimate, noise-free.
        if (step.IsLast) return x0;

        double abT = step.AlphaBar, abPrev = step.AlphaBarPrevious;
        double alphaStep = abT / abPrev;      // α over the skipped span
        double betaStep = 1.0 - alphaStep;    // β over the skipped span
        double denom = Math.Max(1.0 - abT, 1e-20);
        double coefX0 = Math.Sqrt(abPrev) * betaStep / denom;
        double coefXt = Math.Sqrt(alphaStep) * (1.0 - abPrev) / denom;
        var mean = x0 * coefX0 + step.X * coefXt;

        double variance = Options.Variance == DdpmVariance.FixedLarge
            ? betaStep
            : (1.0 - abPrev) / denom * betaStep;
        double std = Math.Sqrt(Math.Max(variance, 1e-20));
        return mean + step.Context.RandnLike(step.X) * std;
    }
}
