namespace Diffusion.Samplers.DpmSolver;

/// <summary>
/// SDE-DPM-Solver++(3M) (k-diffusion's <c>sample_dpmpp_3m_sde</c>): the data-prediction exponential integrator with a
/// quadratic extrapolation in λ = −log σ from the last three predictions (φ₂ and φ₃ terms), plus fresh noise
/// σ_next·√(1 − e^(−2ηh)). η = 0 gives the deterministic third-order DPM-Solver++(3M). One model evaluation per step;
/// first and second order while history builds up; the last step, onto σ = 0, returns D. Unlike k-diffusion, the
/// second-difference term has its exact weight (twice k-diffusion's), without which the method is only second order.
/// </summary>
[Plugin(PluginKind.Sampler, "dpmpp-3m-sde", Options = typeof(Dpmpp3mSdeOptions),
    Description = "SDE-DPM-Solver++(3M): third-order multistep SDE sampler (1 evaluation per step).")]
public sealed class Dpmpp3mSdeSampler(Dpmpp3mSdeOptions options) : DataPredictionMultistep<Dpmpp3mSdeOptions>(options)
{
    /// <inheritdoc />
    protected override int HistoryLength => 2;

    /// <inheritdoc />
    private protected override Tensor Advance(SigmaStep step, Tensor x, Tensor denoised, double h)
    {
        var history = step.History;
        double hEta = h * (Options.Eta + 1);
        var next = x * Math.Exp(-hEta) - denoised * Numerics.Expm1(-hEta);
        double phi2 = Numerics.Expm1(-hEta) / hEta + 1; // 1 − (1 − e^(−z))/z
        if (history.Count == 2)
        {
            double r0 = Ratio(step, 0, h), r1 = Ratio(step, 1, h);
            var d10 = (denoised - history[0].Value) / r0;
            var d11 = (history[0].Value - history[1].Value) / r1;
            var d1 = d10 + (d10 - d11) * (r0 / (r0 + r1));
            var d2 = (d10 - d11) / (r0 + r1);
            // d2 ≈ h²D''/2, whose exact weight is ∫₀ʰ u² e^(u−h) du / h² = −2(φ₂/z − ½). k-diffusion and DPM-Solver
            // use half of it, which leaves the method second order: measured slope 1.9 instead of 3.1 on Gaussian data.
            double phi3 = phi2 / hEta - 0.5;
            next = next + d1 * phi2 - d2 * (2 * phi3);
        }
        else if (history.Count == 1)
        {
            next = next + (denoised - history[0].Value) * (phi2 / Ratio(step, 0, h));
        }
        if (Options.Eta > 0)
            next = next + step.Context.RandnLike(x) * (step.Next * Math.Sqrt(-Numerics.Expm1(-2 * h * Options.Eta)) * Options.SNoise);
        return next;
    }
}
