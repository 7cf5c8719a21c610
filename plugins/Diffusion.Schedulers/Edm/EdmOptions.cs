using Diffusion.Schedulers.Heun;
using Diffusion.Schedulers.Sampling;

namespace Diffusion.Schedulers.Edm;

/// <summary>
/// Options of <see cref="EdmScheduler"/>: those of <c>heun</c> with the stochastic sampler's settings of Karras et al.
/// 2022 as defaults (table 5, ImageNet-64: s_churn 40, s_tmin 0.05, s_tmax 50, s_noise 1.003) and Karras sigmas (ρ = 7).
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
