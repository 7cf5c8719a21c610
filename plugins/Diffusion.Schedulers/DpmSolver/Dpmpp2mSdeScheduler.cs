using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Schedulers;
using Diffusion.Schedulers.Sampling;
using static TorchSharp.torch;

namespace Diffusion.Schedulers.DpmSolver;

/// <summary>
/// SDE-DPM-Solver++(2M) (Lu et al. 2022; k-diffusion's <c>sample_dpmpp_2m_sde</c>): the exponential integrator of the
/// reverse SDE in data prediction, second order from the previous prediction, with fresh noise
/// σ_next·√(1 − e^(−2ηh)) each step. η = 0 gives a deterministic 2M ODE solver. One model evaluation per step; the last
/// step, onto σ = 0, returns D.
/// </summary>
[Plugin(PluginKind.Scheduler, "dpmpp-2m-sde", Options = typeof(Dpmpp2mSdeOptions),
    Description = "SDE-DPM-Solver++(2M): second-order multistep SDE sampler (1 evaluation per step).")]
public sealed class Dpmpp2mSdeScheduler(Dpmpp2mSdeOptions options) : SigmaSampler<Dpmpp2mSdeOptions>(options)
{
    /// <inheritdoc />
    private protected override int HistoryLength => 1;

    /// <inheritdoc />
    private protected override Tensor Step(SigmaStep step, Tensor x)
    {
        double sigma = step.Sigma, sigmaNext = step.Next;
        var denoised = step.Model.Denoise(x, sigma);
        var history = step.History;
        Tensor next;
        if (sigmaNext == 0)
        {
            next = denoised.alias();
        }
        else
        {
            double h = Math.Log(sigma / sigmaNext);
            double etaH = Options.Eta * h;
            double first = -Numerics.Expm1(-h - etaH); // 1 − e^(−(1+η)h)
            next = x * (sigmaNext / sigma * Math.Exp(-etaH)) + denoised * first;
            if (history.Count > 0)
            {
                double r = Math.Log(history[0].Sigma / sigma) / h;
                double coef = Options.SolverType == Dpmpp2mSdeSolverType.Midpoint
                    ? 0.5 * first
                    : 1 - first / (h + etaH); // 1 − (1 − e^(−z))/z with z = (1 + η)h
                next = next + (denoised - history[0].Value) * (coef / r);
            }
            if (Options.Eta > 0)
                next = next + step.Context.RandnLike(x) * (sigmaNext * Math.Sqrt(-Numerics.Expm1(-2 * etaH)) * Options.SNoise);
        }
        step.Remember(denoised);
        return next;
    }
}
