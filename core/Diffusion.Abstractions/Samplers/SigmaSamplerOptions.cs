using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Diffusion.Abstractions.Samplers;

/// <summary>
/// Options every <see cref="SigmaSampler{TOptions}"/> shares: the forward process (from <see cref="SamplerOptions"/>,
/// used when the plugin trains) and the noise levels it samples at. Also the options of the first-party <c>euler</c>,
/// <c>dpm2</c> and <c>dpmpp-2m</c>, which have none of their own.
/// </summary>
public class SigmaSamplerOptions : SamplerOptions
{
    /// <summary>Noise levels visited: schedule (default here; the multistep solvers default to auto), karras, exponential or auto.</summary>
    [Description("Noise levels visited: schedule (the training sigmas at timestep_spacing), karras, exponential, or auto (exponential from auto_exponential_from steps, schedule below).")]
    public SigmaSchedule SigmaSchedule { get; set; } = SigmaSchedule.Schedule;

    /// <summary>
    /// With sigma_schedule: auto, the step count from which the sampler takes equal log-σ steps (exponential); below it,
    /// the training schedule at <see cref="TimestepSpacing"/>. Default 8; the SDE solvers set 20 (docs/benchmarks.md,
    /// "Sampler defaults").
    /// </summary>
    [Range(1, 100000), Description("With sigma_schedule: auto, the step count from which sigmas are exponential (below it: the training schedule at timestep_spacing).")]
    public int AutoExponentialFrom { get; set; } = 8;

    /// <summary>ρ of the karras schedule. Default 7 (Karras et al. 2022).</summary>
    [Range(0.1, 1000.0), Description("rho of the karras sigma schedule (larger spends more steps at low noise).")]
    public double Rho { get; set; } = 7.0;

    /// <summary>
    /// The smallest log signal-to-noise λ = −log σ a sampler starts from: it never starts above σ = e^(−λ). Default −5.1
    /// (σ ≈ 164, diffusers' value for the cosine schedule), which changes nothing on linear and scaled-linear betas
    /// (σ_max 157 and 15) but keeps the cosine schedule (σ_max 4096 after the ᾱ floor) from starting where an ε-prediction
    /// error is multiplied by thousands. Lower it (e.g. −9) to start from the schedule's own σ_max.
    /// </summary>
    [Range(-20.0, 0.0), Description("Smallest log-SNR lambda = -log(sigma) sampled: the start sigma is at most e^(-lambda) (default -5.1, sigma 164; matters for cosine and zero-terminal-SNR schedules).")]
    public double LambdaMinClipped { get; set; } = -5.1;

    /// <summary>How timesteps are picked for sigma_schedule: schedule. Default linspace (diffusers' default for these samplers).</summary>
    [Description("Timestep spacing for sigma_schedule: schedule (and auto below auto_exponential_from steps): linspace, linspace_skip_zero, leading or trailing.")]
    public TimestepSpacing TimestepSpacing { get; set; } = TimestepSpacing.Linspace;
}
