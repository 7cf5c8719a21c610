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
    /// <summary>
    /// <see cref="Exponential"/> from <see cref="SigmaSamplerOptions.AutoExponentialFrom"/> steps up; below that the training
    /// schedule's σ at <see cref="SigmaSamplerOptions.TimestepSpacing"/> (<see cref="Schedule"/>). The default of the
    /// multistep solvers: on a trained image model equal log-σ steps are as good as diffusers' sequence or better from 8
    /// steps (20 for the SDE solvers), and several times worse below (docs/benchmarks.md, "Sampler defaults").
    /// </summary>
    Auto,
}
