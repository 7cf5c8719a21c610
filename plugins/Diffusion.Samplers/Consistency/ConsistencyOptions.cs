namespace Diffusion.Samplers.Consistency;

/// <summary>Options of <see cref="ConsistencySampler"/>: the shared timestep-sampler options, trailing spacing by default.</summary>
public sealed class ConsistencyOptions : TimestepSamplerOptions
{
    /// <summary>Creates the options with trailing spacing, so one step starts at the last training timestep (the noisiest), as the distill stage trains.</summary>
    public ConsistencyOptions() => TimestepSpacing = TimestepSpacing.Trailing;

    /// <summary>Clip each clean estimate to [−clip_range, clip_range] before it is noised again (the last one too).</summary>
    [Description("Clip each clean estimate to [-clip_range, clip_range].")]
    public bool ClipSample { get; set; } = true;

    /// <summary>Bound used when <see cref="ClipSample"/> is set.</summary>
    [Range(1e-6, 1e6), Description("Bound of the clipping.")]
    public double ClipRange { get; set; } = 1.0;
}
