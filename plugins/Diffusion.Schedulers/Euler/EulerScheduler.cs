using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Schedulers;
using Diffusion.Schedulers.Sampling;
using static TorchSharp.torch;

namespace Diffusion.Schedulers.Euler;

/// <summary>
/// Euler's method on the probability-flow ODE dx/dσ = (x − D(x; σ)) / σ (Karras et al. 2022; k-diffusion's
/// <c>sample_euler</c>). First order; one model evaluation per step. The last step lands on σ = 0, which returns D itself.
/// </summary>
[Plugin(PluginKind.Scheduler, "euler", Options = typeof(SigmaSamplerOptions),
    Description = "Euler on the probability-flow ODE in sigma space (first order, 1 evaluation per step).")]
public sealed class EulerScheduler(SigmaSamplerOptions options) : IScheduler
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
            var denoised = model.Denoise(x, sigmas[i]);
            var next = sigmas[i + 1] == 0 ? denoised : x + model.Derivative(x, denoised, sigmas[i]) * (sigmas[i + 1] - sigmas[i]);
            x = Carry.Over(step, next, x);
            context.OnStep(i + 1, steps);
        }
        return run.MoveToOuter(x);
    }
}
