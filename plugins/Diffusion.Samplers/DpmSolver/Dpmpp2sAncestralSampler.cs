namespace Diffusion.Samplers.DpmSolver;

/// <summary>
/// Ancestral DPM-Solver++(2S) (Lu et al. 2022; k-diffusion's <c>sample_dpmpp_2s_ancestral</c>): a second-order
/// single-step data-prediction update to σ_down through the midpoint in log σ, then fresh noise of size σ_up.
/// With η = 0 it is the deterministic DPM-Solver++(2S). Two model evaluations per step except the last.
/// </summary>
[Plugin(PluginKind.Sampler, "dpmpp-2s-ancestral", Options = typeof(StochasticSamplerOptions),
    Description = "Ancestral DPM-Solver++(2S) (second-order single step plus fresh noise; 2 evaluations per step).")]
public sealed class Dpmpp2sAncestralSampler(StochasticSamplerOptions options) : SigmaSampler<StochasticSamplerOptions>(options)
{
    /// <inheritdoc />
    protected override Tensor Step(SigmaStep step)
    {
        var x = step.X;
        double sigma = step.Sigma;
        var denoised = step.Denoise(x, sigma);
        var (down, up) = AncestralStep.Split(sigma, step.Next, Options.Eta);
        Tensor next;
        if (down == 0)
        {
            next = denoised;
        }
        else
        {
            // Data-prediction exponential integrator: x(σ') = (σ'/σ)·x + (1 − σ'/σ)·D over a step where D is held fixed.
            double sigmaMid = Math.Sqrt(sigma * down);
            var mid = x * (sigmaMid / sigma) + denoised * (1 - sigmaMid / sigma);
            var denoisedMid = step.Denoise(mid, sigmaMid);
            next = x * (down / sigma) + denoisedMid * (1 - down / sigma);
        }
        return up > 0 ? next + step.Context.RandnLike(x) * (Options.SNoise * up) : next;
    }
}
