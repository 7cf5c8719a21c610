using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Schedulers;
using Diffusion.Schedulers.Sampling;
using static TorchSharp.torch;

namespace Diffusion.Schedulers.Dpm2;

/// <summary>
/// DPM-Solver-2 in the midpoint form of k-diffusion's <c>sample_dpm_2</c> (diffusers' KDPM2DiscreteScheduler): the
/// derivative at the geometric mean of the two noise levels drives the whole step. Second order; two model evaluations
/// per step except the last (an Euler step to σ = 0).
/// </summary>
[Plugin(PluginKind.Scheduler, "dpm2", Options = typeof(SigmaSamplerOptions),
    Description = "DPM-Solver-2 (midpoint in log sigma; second order, 2 evaluations per step).")]
public sealed class Dpm2Scheduler(SigmaSamplerOptions options) : IScheduler
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
        for (int i = 0; i < steps; i++)
        {
            using var step = NewDisposeScope();
            double sigma = sigmas[i], sigmaNext = sigmas[i + 1];
            var denoised = model.Denoise(x, sigma);
            Tensor next;
            if (sigmaNext == 0)
            {
                next = denoised;
            }
            else
            {
                double sigmaMid = Math.Sqrt(sigma * sigmaNext);
                var mid = x + model.Derivative(x, denoised, sigma) * (sigmaMid - sigma);
                var dMid = model.Derivative(mid, model.Denoise(mid, sigmaMid), sigmaMid);
                next = x + dMid * (sigmaNext - sigma);
            }
            x = Carry.Over(step, next, x);
            context.OnStep(i + 1, steps);
        }
        return run.MoveToOuter(x);
    }
}
