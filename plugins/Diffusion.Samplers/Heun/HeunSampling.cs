namespace Diffusion.Samplers.Heun;

/// <summary>
/// Heun's second-order method with optional churn: Karras et al. 2022, algorithm 2 (k-diffusion's <c>sample_heun</c>).
/// Shared by <c>heun</c> (no churn by default) and <c>edm</c> (churn on, Karras sigmas). Churn never raises σ above the
/// schedule's largest σ, where a discrete-time model has never been trained.
/// </summary>
internal static class HeunSampling
{
    /// <summary>One step: churn x up to σ̂ (when the options ask for it), then Heun's step from σ̂ to the next level.</summary>
    public static Tensor Step(SigmaStep step, HeunOptions options)
    {
        var (x, context) = (step.X, step.Context);
        double sigma = step.Sigma, sigmaNext = step.Next;
        double gamma = options.STmin <= sigma && sigma <= options.STmax ? Math.Min(options.SChurn / step.Steps, Math.Sqrt(2) - 1) : 0;
        double sigmaHat = Math.Min(sigma * (1 + gamma), Math.Max(sigma, context.Schedule.SigmaMax)); // never above the model's range
        var xHat = sigmaHat > sigma ? x + context.RandnLike(x) * (options.SNoise * Math.Sqrt(sigmaHat * sigmaHat - sigma * sigma)) : x;

        var denoised = step.Denoise(xHat, sigmaHat);
        var d = step.Derivative(xHat, denoised, sigmaHat);
        if (sigmaNext == 0) return denoised; // an Euler step to σ = 0 is D itself
        var euler = xHat + d * (sigmaNext - sigmaHat);
        var dNext = step.Derivative(euler, step.Denoise(euler, sigmaNext), sigmaNext);
        return xHat + (d + dNext) * ((sigmaNext - sigmaHat) / 2);
    }
}
