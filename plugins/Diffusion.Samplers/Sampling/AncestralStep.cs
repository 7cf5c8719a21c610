namespace Diffusion.Samplers.Sampling;

/// <summary>
/// Splits a step from σ_from to σ_to into a deterministic move to σ_down and fresh noise of size σ_up, with
/// σ_down² + σ_up² = σ_to² (k-diffusion's <c>get_ancestral_step</c>). With η = 1 this is the DDPM posterior step;
/// it equals DDIM's σ_t(η) written in σ space.
/// </summary>
internal static class AncestralStep
{
    public static (double Down, double Up) Split(double sigmaFrom, double sigmaTo, double eta)
    {
        if (eta == 0 || sigmaTo == 0) return (sigmaTo, 0);
        double up = Math.Min(sigmaTo, eta * Math.Sqrt(sigmaTo * sigmaTo * (sigmaFrom * sigmaFrom - sigmaTo * sigmaTo) / (sigmaFrom * sigmaFrom)));
        double down = Math.Sqrt(Math.Max(sigmaTo * sigmaTo - up * up, 0));
        return (down, up);
    }
}
