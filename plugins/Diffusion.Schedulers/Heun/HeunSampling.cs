using Diffusion.Abstractions.Schedulers;
using Diffusion.Schedulers.Sampling;
using static TorchSharp.torch;

namespace Diffusion.Schedulers.Heun;

/// <summary>
/// Heun's second-order method with optional churn: Karras et al. 2022, algorithm 2 (k-diffusion's <c>sample_heun</c>).
/// Shared by <c>heun</c> (no churn by default) and <c>edm</c> (churn on, Karras sigmas). Churn never raises σ above the
/// schedule's largest σ, where a discrete-time model has never been trained.
/// </summary>
internal static class HeunSampling
{
    public static Tensor Sample(Tensor noise, ISamplingContext context, HeunOptions options)
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
            double gamma = options.STmin <= sigma && sigma <= options.STmax ? Math.Min(options.SChurn / steps, Math.Sqrt(2) - 1) : 0;
            double sigmaHat = Math.Min(sigma * (1 + gamma), Math.Max(sigma, context.Schedule.SigmaMax)); // never above the model's range
            var xHat = sigmaHat > sigma ? x + context.RandnLike(x) * (options.SNoise * Math.Sqrt(sigmaHat * sigmaHat - sigma * sigma)) : x;

            var denoised = model.Denoise(xHat, sigmaHat);
            var d = model.Derivative(xHat, denoised, sigmaHat);
            Tensor next;
            if (sigmaNext == 0)
            {
                next = denoised; // an Euler step to σ = 0 is D itself
            }
            else
            {
                var euler = xHat + d * (sigmaNext - sigmaHat);
                var dNext = model.Derivative(euler, model.Denoise(euler, sigmaNext), sigmaNext);
                next = xHat + (d + dNext) * ((sigmaNext - sigmaHat) / 2);
            }
            x = Carry.Over(step, next, x);
            context.OnStep(i + 1, steps);
        }
        return run.MoveToOuter(x);
    }
}
