using Diffusion.Samplers.Heun;

namespace Diffusion.Samplers.Edm;

/// <summary>
/// Options of <see cref="EdmSampler"/>: those of <c>heun</c>, with churn on by default and Karras sigmas (ρ = 7).
/// s_tmin 0.05, s_tmax 50 and s_noise 1.003 are Karras et al.'s ImageNet-64 settings (their table 5, where s_churn is 80);
/// s_churn defaults to 40, the common choice, which gives the largest churn per step, γ = √2 − 1, up to 96 steps.
/// </summary>
public sealed class EdmOptions : HeunOptions
{
    /// <summary>Sets the EDM defaults.</summary>
    public EdmOptions()
    {
        SigmaSchedule = SigmaSchedule.Karras;
        SChurn = 40;
        STmin = 0.05;
        STmax = 50;
        SNoise = 1.003;
    }
}
