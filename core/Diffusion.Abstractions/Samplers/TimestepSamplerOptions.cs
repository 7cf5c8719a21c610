using System.ComponentModel;

namespace Diffusion.Abstractions.Samplers;

/// <summary>
/// Options every <see cref="TimestepSampler{TOptions}"/> shares: the forward process (from <see cref="SamplerOptions"/>,
/// used when the plugin trains) and which training timesteps it visits.
/// </summary>
public class TimestepSamplerOptions : SamplerOptions
{
    /// <summary>How timesteps are picked when sampling with fewer steps than training timesteps. Default leading, as diffusers.</summary>
    [Description("Timestep spacing when sampling with fewer steps than training timesteps: leading, trailing or linspace.")]
    public TimestepSpacing TimestepSpacing { get; set; } = TimestepSpacing.Leading;
}
