namespace Diffusion.Samplers.Heun;

/// <summary>
/// Options of <see cref="HeunSampler"/>: the σ-space options plus the "churn" of Karras et al. 2022 (algorithm 2),
/// which raises the noise level of each step by a factor 1 + γ with fresh noise before the Heun step. Off by default.
/// </summary>
public class HeunOptions : SigmaSamplerOptions
{
    /// <summary>Total churn S_churn: each step with σ in [s_tmin, s_tmax] gets γ = min(s_churn / steps, √2 − 1). Default 0 (deterministic).</summary>
    [Range(0.0, 1e6), Description("Churn S_churn: extra noise per step, gamma = min(s_churn / steps, sqrt(2) - 1); 0 is deterministic.")]
    public double SChurn { get; set; }

    /// <summary>Smallest σ that gets churn. Default 0.</summary>
    [Range(0.0, double.PositiveInfinity), Description("Smallest sigma that gets churn.")]
    public double STmin { get; set; }

    /// <summary>Largest σ that gets churn. Default .inf.</summary>
    [Range(0.0, double.PositiveInfinity), Description("Largest sigma that gets churn.")]
    public double STmax { get; set; } = double.PositiveInfinity;

    /// <summary>Scale of the churn noise (S_noise; slightly above 1 offsets detail lost by the denoiser). Default 1.</summary>
    [Range(0.0, 2.0), Description("Scale of the churn noise (S_noise).")]
    public double SNoise { get; set; } = 1.0;
}
