using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Schedulers;
using Diffusion.Schedulers.Sampling;
using static TorchSharp.torch;

namespace Diffusion.Schedulers.DpmSolver;

/// <summary>
/// DPM-Solver++(2M) (Lu et al. 2022; k-diffusion's <c>sample_dpmpp_2m</c>, diffusers' DPMSolverMultistepScheduler):
/// the exact solution of the ODE in log σ for a data prediction that varies linearly, the slope taken from the previous
/// step's prediction. Second order; one model evaluation per step. The first step is first order (DDIM), and so is the
/// last, onto σ = 0, which returns D.
/// </summary>
[Plugin(PluginKind.Scheduler, "dpmpp-2m", Options = typeof(SigmaSamplerOptions),
    Description = "DPM-Solver++(2M): second-order multistep exponential integrator (1 evaluation per step).")]
public sealed class Dpmpp2mScheduler(SigmaSamplerOptions options) : IScheduler
{
    private readonly SigmaSamplerOptions options = options;

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
        var history = new History(1);
        for (int i = 0; i < steps; i++)
        {
            using var step = NewDisposeScope();
            double sigma = sigmas[i], sigmaNext = sigmas[i + 1];
            var denoised = model.Denoise(x, sigma);
            Tensor next;
            if (sigmaNext == 0)
            {
                next = denoised.alias();
            }
            else
            {
                double h = Math.Log(sigma / sigmaNext); // step in λ = −log σ
                var target = denoised;
                if (history.Count > 0)
                {
                    double r = Math.Log(history[0].Sigma / sigma) / h; // previous step over this one
                    target = denoised * (1 + 1 / (2 * r)) - history[0].Value * (1 / (2 * r));
                }
                next = x * (sigmaNext / sigma) - target * Numerics.Expm1(-h);
            }
            history.Push(step, denoised, sigma);
            x = Carry.Over(step, next, x);
            context.OnStep(i + 1, steps);
        }
        return run.MoveToOuter(x);
    }
}
