namespace Diffusion.Samplers.EulerAncestral;

/// <summary>
/// Ancestral Euler (k-diffusion's <c>sample_euler_ancestral</c>): an Euler step down to σ_down, then fresh noise of size
/// σ_up back up to the next level. With η = 1 each step samples the DDPM posterior; with η = 0 it is <c>euler</c>.
/// One model evaluation per step; no noise on the last step.
/// </summary>
[Plugin(PluginKind.Sampler, "euler-ancestral", Options = typeof(StochasticSamplerOptions),
    Description = "Ancestral Euler: Euler step plus fresh noise each step (eta scales it; 1 evaluation per step).")]
public sealed class EulerAncestralSampler(StochasticSamplerOptions options) : SigmaSampler<StochasticSamplerOptions>(options)
{
    /// <inheritdoc />
    protected override Tensor Step(SigmaStep step)
    {
        var x = step.X;
        var denoised = step.Denoise(x, step.Sigma);
        var (down, up) = AncestralStep.Split(step.Sigma, step.Next, Options.Eta);
        var next = down == 0 ? denoised : x + step.Derivative(x, denoised, step.Sigma) * (down - step.Sigma);
        return up > 0 ? next + step.Context.RandnLike(x) * (Options.SNoise * up) : next;
    }
}
