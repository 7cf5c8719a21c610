using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Schedulers;
using Diffusion.Schedulers.Sampling;
using static TorchSharp.torch;

namespace Diffusion.Schedulers.EulerAncestral;

/// <summary>
/// Ancestral Euler (k-diffusion's <c>sample_euler_ancestral</c>): an Euler step down to σ_down, then fresh noise of size
/// σ_up back up to the next level. With η = 1 each step samples the DDPM posterior; with η = 0 it is <c>euler</c>.
/// One model evaluation per step; no noise on the last step.
/// </summary>
[Plugin(PluginKind.Scheduler, "euler-ancestral", Options = typeof(StochasticSamplerOptions),
    Description = "Ancestral Euler: Euler step plus fresh noise each step (eta scales it; 1 evaluation per step).")]
public sealed class EulerAncestralScheduler(StochasticSamplerOptions options) : IScheduler
{
    private readonly StochasticSamplerOptions options = options;

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
            var (down, up) = AncestralStep.Split(sigmas[i], sigmas[i + 1], options.Eta);
            var next = down == 0 ? denoised : x + model.Derivative(x, denoised, sigmas[i]) * (down - sigmas[i]);
            if (up > 0) next = next + context.RandnLike(x) * (options.SNoise * up);
            x = Carry.Over(step, next, x);
            context.OnStep(i + 1, steps);
        }
        return run.MoveToOuter(x);
    }
}
