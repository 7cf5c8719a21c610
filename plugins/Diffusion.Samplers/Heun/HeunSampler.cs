namespace Diffusion.Samplers.Heun;

/// <summary>
/// Heun's method on the probability-flow ODE (Karras et al. 2022, algorithm 1; diffusers' HeunDiscreteScheduler):
/// an Euler step, then the trapezoidal correction with the derivative at its end. Second order; two model evaluations
/// per step except the last (an Euler step to σ = 0), so n steps cost 2n − 1 evaluations.
/// </summary>
[Plugin(PluginKind.Sampler, "heun", Options = typeof(HeunOptions),
    Description = "Heun's second-order ODE sampler (2 evaluations per step; optional churn).")]
public sealed class HeunSampler(HeunOptions options) : SigmaSampler<HeunOptions>(options)
{
    /// <inheritdoc />
    protected override Tensor Step(SigmaStep step) => HeunSampling.Step(step, Options);
}
