using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Schedulers;
using Diffusion.Schedulers.Sampling;
using static TorchSharp.torch;

namespace Diffusion.Schedulers.Deis;

/// <summary>
/// DEIS (Zhang and Chen 2023), the multistep exponential integrator in the "log-rho" form of diffusers'
/// DEISMultistepScheduler: the ε estimates at the last <c>solver_order</c> noise levels are interpolated by a
/// polynomial in log σ and integrated exactly over σ to the next level (with x = x_0 + σ·ε, dx/dσ = ε). One model
/// evaluation per step; the first steps and the last use lower orders (warm-up; the final step to σ = 0 returns D).
/// </summary>
[Plugin(PluginKind.Scheduler, "deis", Options = typeof(DeisOptions),
    Description = "DEIS multistep exponential integrator (polynomial in log sigma; 1 evaluation per step).")]
public sealed class DeisScheduler(DeisOptions options) : IScheduler
{
    private readonly DeisOptions options = options;

    /// <inheritdoc />
    public NoiseSchedule CreateSchedule() => options.ToSchedule();

    /// <inheritdoc />
    public Tensor Sample(Tensor noise, ISamplingContext context)
    {
        var model = new SigmaDenoiser(context);
        double[] sigmas = SigmaSchedules.For(options, context.Schedule, context.Steps);
        int steps = sigmas.Length - 1;
        using var noGrad = no_grad();
        using var run = NewDisposeScope();
        var x = SigmaDenoiser.Start(noise, sigmas[0]);
        var eps = new History(options.SolverOrder);
        for (int i = 0; i < steps; i++)
        {
            using var step = NewDisposeScope();
            double sigma = sigmas[i], sigmaNext = sigmas[i + 1];
            var denoised = model.Denoise(x, sigma);
            eps.Push(step, model.Derivative(x, denoised, sigma), sigma);
            int order = Math.Min(eps.Count, steps - i);

            // With u = log(ρ/σ_i): ∫ from σ_i to σ_next of P(log ρ) dρ = σ_i ∫ from 0 to log(σ_next/σ_i) of P(u)·e^u du.
            var nodes = Enumerable.Range(0, order).Select(j => Math.Log(eps[j].Sigma / sigma)).ToArray();
            double end = sigmaNext == 0 ? double.NegativeInfinity : Math.Log(sigmaNext / sigma);
            var next = x.alias();
            for (int j = 0; j < order; j++)
                next = next + eps[j].Value * (sigma * Polynomials.IntegralTimesExp(Polynomials.LagrangeBasis(nodes, j), 0, end));
            x = Carry.Over(step, next, x);
            context.OnStep(i + 1, steps);
        }
        return run.MoveToOuter(x);
    }
}
