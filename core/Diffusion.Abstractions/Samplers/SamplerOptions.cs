using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Diffusion.Abstractions.Samplers;

/// <summary>Options every sampler shares: the forward process it trains with.</summary>
public class SamplerOptions
{
    /// <summary>Beta spacing over the training timesteps.</summary>
    [Description("Beta spacing: linear, scaled_linear, cosine or sigmoid.")]
    public BetaSchedule BetaSchedule { get; set; } = BetaSchedule.Linear;

    /// <summary>Number of discrete training timesteps.</summary>
    [Range(2, 100_000), Description("Number of training timesteps.")]
    public int Timesteps { get; set; } = 1000;

    /// <summary>First beta (linear, scaled_linear, sigmoid).</summary>
    [Range(1e-8, 0.5), Description("First beta (linear, scaled_linear, sigmoid).")]
    public double BetaStart { get; set; } = 1e-4;

    /// <summary>Last beta (linear, scaled_linear, sigmoid).</summary>
    [Range(1e-8, 0.999), Description("Last beta (linear, scaled_linear, sigmoid).")]
    public double BetaEnd { get; set; } = 0.02;

    /// <summary>What the denoiser predicts.</summary>
    [Description("What the denoiser predicts: epsilon, v_prediction, sample or edm (EDM preconditioning, sigma_data 0.5).")]
    public PredictionType PredictionType { get; set; } = PredictionType.Epsilon;

    /// <summary>Rescale betas so the last timestep has zero SNR (Lin et al. 2023).</summary>
    [Description("Rescale betas so the last timestep has zero signal-to-noise ratio.")]
    public bool RescaleZeroTerminalSnr { get; set; }

    /// <summary>The schedule these options describe.</summary>
    public NoiseSchedule ToSchedule() =>
        NoiseSchedule.Create(BetaSchedule, Timesteps, BetaStart, BetaEnd, PredictionType, RescaleZeroTerminalSnr);
}
