namespace Diffusion.Samplers.DpmSolver;

/// <summary>
/// DPM-Solver++(2M) (Lu et al. 2022; k-diffusion's <c>sample_dpmpp_2m</c>, diffusers' DPMSolverMultistepScheduler):
/// the exact solution of the ODE in log σ for a data prediction that varies linearly, the slope taken from the previous
/// step's prediction. Second order; one model evaluation per step. The first step is first order (DDIM), and so is the
/// last, onto σ = 0, which returns D.
/// </summary>
[Plugin(PluginKind.Sampler, "dpmpp-2m", Options = typeof(Dpmpp2mOptions),
    Description = "DPM-Solver++(2M): second-order multistep exponential integrator (1 evaluation per step).")]
public sealed class Dpmpp2mSampler(Dpmpp2mOptions options) : DataPredictionMultistep<Dpmpp2mOptions>(options)
{
    /// <inheritdoc />
    protected override int HistoryLength => 1;

    /// <inheritdoc />
    private protected override Tensor Advance(SigmaStep step, Tensor x, Tensor denoised, double h)
    {
        var target = denoised;
        if (step.History.Count > 0)
        {
            double r = Ratio(step, 0, h); // previous step over this one
            target = denoised * (1 + 1 / (2 * r)) - step.History[0].Value * (1 / (2 * r));
        }
        return x * (step.Next / step.Sigma) - target * Numerics.Expm1(-h);
    }
}
