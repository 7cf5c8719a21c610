using Diffusion.Abstractions.Runs;

namespace Diffusion.Samplers.Ddim;

/// <summary>
/// DDIM (Song et al. 2021): at each chosen timestep the model's x0 and ε estimates give
/// x_prev = √ᾱ_prev·x0 + √(1 − ᾱ_prev − σ²)·ε + σ·z with σ = η·√((1 − ᾱ_prev)/(1 − ᾱ_t))·√(1 − ᾱ_t/ᾱ_prev).
/// η = 0 is deterministic (the first-order exponential integrator of the probability-flow ODE) and can be inverted
/// (<see cref="Invert"/>); η = 1 gives DDPM's posterior noise. The last step returns x0 with no noise. One model
/// evaluation per step.
/// </summary>
[Plugin(PluginKind.Sampler, "ddim", Options = typeof(DdimOptions),
    Description = "DDIM sampler (eta = 0 deterministic and invertible; 1 evaluation per step).")]
public sealed class DdimSampler(DdimOptions options) : TimestepSampler<DdimOptions>(options), IInvertibleSampler
{
    /// <inheritdoc />
    protected override Tensor Step(TimestepStep step)
    {
        double abT = step.AlphaBar, abPrev = step.AlphaBarPrevious;
        var (x0, eps) = (step.X0, step.Eps);
        if (Options.ClipSample)
        {
            x0 = x0.clamp(-Options.ClipRange, Options.ClipRange);
            eps = (step.X - x0 * Math.Sqrt(abT)) / Math.Sqrt(Math.Max(1 - abT, 1e-20));
        }

        double sigma = Options.Eta * Math.Sqrt((1 - abPrev) / Math.Max(1 - abT, 1e-20) * (1 - abT / abPrev));
        var next = x0 * Math.Sqrt(abPrev) + eps * Math.Sqrt(Math.Max(1 - abPrev - sigma * sigma, 0));
        if (sigma > 0) next = next + step.Context.RandnLike(step.X) * sigma;
        return next;
    }

    /// <summary>
    /// DDIM inversion: the η = 0 steps taken backwards, from ᾱ = 1 up through the same timesteps <see cref="TimestepSampler{TOptions}.Sample"/> visits,
    /// each using the ε estimated at the point it starts from (the clean sample borrows the first timestep). Exact as the
    /// steps shrink; no clipping.
    /// </summary>
    /// <exception cref="PluginInputException">η is not 0: only the deterministic sampler maps the noise back.</exception>
    public Tensor Invert(Tensor samples, ISamplingContext context)
    {
        if (Options.Eta != 0)
            throw new PluginInputException($"ddim inverts only its deterministic path, but eta is {Options.Eta}: set eta: 0 on the sampler used to invert and to sample back");
        int[] timesteps = Timesteps(context);
        double[] alphaBar = context.Schedule.AlphasCumprod;
        int total = timesteps.Length;
        using var noGrad = no_grad();
        using var run = NewDisposeScope();
        var x = samples.alias();
        double abCurrent = 1.0;
        for (int i = 0; i < total; i++)
        {
            using var step = NewDisposeScope();
            int tNext = timesteps[total - 1 - i];
            int tEval = i == 0 ? tNext : timesteps[total - i];
            double abNext = alphaBar[tNext];

            var eps = Estimate(context, x, tEval).Eps;
            var x0 = (x - eps * Math.Sqrt(1 - abCurrent)) / Math.Sqrt(abCurrent);
            var next = x0 * Math.Sqrt(abNext) + eps * Math.Sqrt(1 - abNext);
            abCurrent = abNext;
            next = step.MoveToOuter(next);
            x.Dispose();
            x = next;
            context.OnStep(i + 1, total);
        }
        return run.MoveToOuter(x);
    }
}
