namespace Diffusion.Samplers.Dpm2;

/// <summary>
/// DPM-Solver-2 in the midpoint form of k-diffusion's <c>sample_dpm_2</c> (diffusers' KDPM2DiscreteScheduler): the
/// derivative at the geometric mean of the two noise levels drives the whole step. Second order; two model evaluations
/// per step except the last (an Euler step to σ = 0).
/// </summary>
[Plugin(PluginKind.Sampler, "dpm2", Options = typeof(SigmaSamplerOptions),
    Description = "DPM-Solver-2 (midpoint in log sigma; second order, 2 evaluations per step).")]
public sealed class Dpm2Sampler(SigmaSamplerOptions options) : SigmaSampler<SigmaSamplerOptions>(options)
{
    /// <inheritdoc />
    protected override Tensor Step(SigmaStep step)
    {
        var x = step.X;
        double sigma = step.Sigma, sigmaNext = step.Next;
        var denoised = step.Denoise(x, sigma);
        if (sigmaNext == 0) return denoised;
        double sigmaMid = Math.Sqrt(sigma * sigmaNext);
        var mid = x + step.Derivative(x, denoised, sigma) * (sigmaMid - sigma);
        var dMid = step.Derivative(mid, step.Denoise(mid, sigmaMid), sigmaMid);
        return x + dMid * (sigmaNext - sigma);
    }
}
