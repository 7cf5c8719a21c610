namespace Diffusion.Samplers.DpmSolver;

/// <summary>
/// SDE-DPM-Solver++(2M) (Lu et al. 2022; k-diffusion's <c>sample_dpmpp_2m_sde</c>): the exponential integrator of the
/// reverse SDE in data prediction, second order from the previous prediction, with fresh noise
/// σ_next·√(1 − e^(−2ηh)) each step. η = 0 gives a deterministic 2M ODE solver. One model evaluation per step; the last
/// step, onto σ = 0, returns D.
/// </summary>
[Plugin(PluginKind.Sampler, "dpmpp-2m-sde", Options = typeof(Dpmpp2mSdeOptions),
    Description = "SDE-DPM-Solver++(2M): second-order multistep SDE sampler (1 evaluation per step).")]
public sealed class Dpmpp2mSdeSampler(Dpmpp2mSdeOptions options) : DataPredictionMultistep<Dpmpp2mSdeOptions>(options)
{
    /// <inheritdoc />
    protected override int HistoryLength => 1;

    /// <inheritdoc />
    private protected override Tensor Advance(SigmaStep step, Tensor x, Tensor denoised, double h)
    {
        double etaH = Options.Eta * h;
        double first = -Numerics.Expm1(-h - etaH); // 1 − e^(−(1+η)h)
        var next = x * (step.Next / step.Sigma * Math.Exp(-etaH)) + denoised * first;
        if (step.History.Count > 0)
        {
            double r = Ratio(step, 0, h);
            double coef = Options.SolverType == Dpmpp2mSdeSolverType.Midpoint
                ? 0.5 * first
                : 1 - first / (h + etaH); // 1 − (1 − e^(−z))/z with z = (1 + η)h
            next = next + (denoised - step.History[0].Value) * (coef / r);
        }
        if (Options.Eta > 0)
            next = next + step.Context.RandnLike(x) * (step.Next * Math.Sqrt(-Numerics.Expm1(-2 * etaH)) * Options.SNoise);
        return next;
    }
}
