namespace Diffusion.Abstractions.Samplers;

/// <summary>Which noise levels a σ-space sampler visits.</summary>
public enum SigmaSchedule
{
    /// <summary>The training schedule's own σ at the timesteps picked by <see cref="SigmaSamplerOptions.TimestepSpacing"/> (diffusers' default).</summary>
    Schedule,
    /// <summary>Karras et al. 2022: evenly spaced in σ^(1/ρ) from σ_max to σ_min.</summary>
    Karras,
    /// <summary>Evenly spaced in log σ (equal steps in log-SNR) from σ_max to σ_min.</summary>
    Exponential,
}
