namespace Diffusion.Samplers.Deis;

/// <summary>
/// DEIS (Zhang and Chen 2023), the multistep exponential integrator in the "log-rho" form of diffusers'
/// DEISMultistepScheduler: the ε estimates at the last <c>solver_order</c> noise levels are interpolated by a
/// polynomial in log σ and integrated exactly over σ to the next level (with x = x_0 + σ·ε, dx/dσ = ε). One model
/// evaluation per step; the first steps and the last use lower orders (warm-up; the final step to σ = 0 returns D).
/// </summary>
[Plugin(PluginKind.Sampler, "deis", Options = typeof(DeisOptions),
    Description = "DEIS multistep exponential integrator (polynomial in log sigma; 1 evaluation per step).")]
public sealed class DeisSampler(DeisOptions options) : SigmaSampler<DeisOptions>(options)
{
    /// <inheritdoc />
    protected override int HistoryLength => Options.SolverOrder;

    /// <inheritdoc />
    protected override Tensor Step(SigmaStep step)
    {
        var x = step.X;
        double sigma = step.Sigma, sigmaNext = step.Next;
        var denoised = step.Denoise(x, sigma);
        step.Remember(step.Derivative(x, denoised, sigma));
        var eps = step.History;
        int order = Math.Min(eps.Count, step.Steps - step.Index);

        // With u = log(ρ/σ_i): ∫ from σ_i to σ_next of P(log ρ) dρ = σ_i ∫ from 0 to log(σ_next/σ_i) of P(u)·e^u du.
        var nodes = Enumerable.Range(0, order).Select(j => Math.Log(eps[j].Sigma / sigma)).ToArray();
        double end = sigmaNext == 0 ? double.NegativeInfinity : Math.Log(sigmaNext / sigma);
        var next = x.alias();
        for (int j = 0; j < order; j++)
            next = next + eps[j].Value * (sigma * Polynomials.IntegralTimesExp(Polynomials.LagrangeBasis(nodes, j), 0, end));
        return next;
    }
}
