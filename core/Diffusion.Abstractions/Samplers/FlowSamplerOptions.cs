using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Diffusion.Abstractions.Samplers;

/// <summary>
/// Options every <see cref="FlowSampler{TOptions}"/> shares: the rectified-flow forward process it trains with
/// (<see cref="NoiseSchedule.RectifiedFlow"/>: the table size and how training draws t) and the times it samples at.
/// </summary>
public class FlowSamplerOptions
{
    /// <summary>T, the levels of the flow's table: the network's timestep input is T·t − 1. Default 1000.</summary>
    [Range(2, 100_000), Description("Levels of the flow table T: the network gets timestep T*t - 1 for flow time t in [0, 1].")]
    public int Timesteps { get; set; } = 1000;

    /// <summary>How training draws t. Default logit_normal (SD3).</summary>
    [Description("How training draws the flow time t: uniform or logit_normal (t = sigmoid(logit_mean + logit_std * n), SD3's default).")]
    public FlowTimeSampling TimeSampling { get; set; } = FlowTimeSampling.LogitNormal;

    /// <summary>m of logit-normal t. Default 0.</summary>
    [Range(-10.0, 10.0), Description("Mean of the logit-normal training times (0: centred on t = 0.5).")]
    public double LogitMean { get; set; }

    /// <summary>s of logit-normal t. Default 1.</summary>
    [Range(0.01, 10.0), Description("Standard deviation of the logit-normal training times.")]
    public double LogitStd { get; set; } = 1.0;

    /// <summary>
    /// The time shift of the sampling grid (SD3): t' = shift·t/(1 + (shift − 1)·t) on evenly spaced t from 1 to 0. Values
    /// above 1 spend more steps at high noise (SD3 uses 3 at 1024 px). Default 1 (evenly spaced).
    /// </summary>
    [Range(0.01, 100.0), Description("Time shift of the sampling grid: t' = shift*t / (1 + (shift-1)*t); above 1 spends more steps at high noise.")]
    public double Shift { get; set; } = 1.0;

    /// <summary>The forward process these options describe.</summary>
    public NoiseSchedule ToSchedule() => NoiseSchedule.RectifiedFlow(Timesteps, TimeSampling, LogitMean, LogitStd);
}
