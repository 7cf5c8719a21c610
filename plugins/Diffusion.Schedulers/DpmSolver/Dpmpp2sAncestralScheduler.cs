using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Schedulers;
using Diffusion.Schedulers.Sampling;
using static TorchSharp.torch;

namespace Diffusion.Schedulers.DpmSolver;

/// <summary>
/// Ancestral DPM-Solver++(2S) (Lu et al. 2022; k-diffusion's <c>sample_dpmpp_2s_ancestral</c>): a second-order
/// single-step data-prediction update to σ_down through the midpoint in log σ, then fresh noise of size σ_up.
/// With η = 0 it is the deterministic DPM-Solver++(2S). Two model evaluations per step except the last.
/// </summary>
[Plugin(PluginKind.Scheduler, "dpmpp-2s-ancestral", Options = typeof(StochasticSamplerOptions),
    Description = "Ancestral DPM-Solver++(2S) (second-order single step plus fresh noise; 2 evaluations per step).")]
public sealed class Dpmpp2sAncestralScheduler(StochasticSamplerOptions options) : IScheduler
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
            double sigma = sigmas[i];
            var denoised = model.Denoise(x, sigma);
            var (down, up) = AncestralStep.Split(sigma, sigmas[i + 1], options.Eta);
            Tensor next;
            if (down == 0)
            {
                next = denoised;
            }
            else
            {
                // Data-prediction exponential integrator: x(σ') = (σ'/σ)·x + (1 − σ'/σ)·D over a step where D is held fixed.
                double sigmaMid = Math.Sqrt(sigma * down);
                var mid = x * (sigmaMid / sigma) + denoised * (1 - sigmaMid / sigma);
                var denoisedMid = model.Denoise(mid, sigmaMid);
                next = x * (down / sigma) + denoisedMid * (1 - down / sigma);
            }
            if (up > 0) next = next + context.RandnLike(x) * (options.SNoise * up);
            x = Carry.Over(step, next, x);
            context.OnStep(i + 1, steps);
        }
        return run.MoveToOuter(x);
    }
}
