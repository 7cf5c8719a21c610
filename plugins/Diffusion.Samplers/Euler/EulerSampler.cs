namespace Diffusion.Samplers.Euler;

/// <summary>
/// Euler's method on the probability-flow ODE dx/dσ = (x − D(x; σ)) / σ (Karras et al. 2022; k-diffusion's
/// <c>sample_euler</c>). First order; one model evaluation per step. The last step lands on σ = 0, which returns D itself.
/// </summary>
[Plugin(PluginKind.Sampler, "euler", Options = typeof(SigmaSamplerOptions),
    Description = "Euler on the probability-flow ODE in sigma space (first order, 1 evaluation per step).")]
public sealed class EulerSampler(SigmaSamplerOptions options) : SigmaSampler<SigmaSamplerOptions>(options)
{
    /// <inheritdoc />
    protected override Tensor Step(SigmaStep step)
    {
        var x = step.X;
        var denoised = step.Denoise(x, step.Sigma);
        return step.Next == 0 ? denoised : x + step.Derivative(x, denoised, step.Sigma) * (step.Next - step.Sigma);
    }
}
