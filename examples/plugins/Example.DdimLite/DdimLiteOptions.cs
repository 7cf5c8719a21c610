using System.ComponentModel;
using Diffusion.Abstractions.Samplers;

namespace Example.DdimLite;

/// <summary>Options of <see cref="DdimLiteSampler"/>: the shared timestep-sampler options (evenly spaced by default) plus clipping.</summary>
public sealed class DdimLiteOptions : TimestepSamplerOptions
{
    /// <summary>Evenly spaced timesteps unless the pipeline sets <c>timestep_spacing</c>.</summary>
    public DdimLiteOptions() => TimestepSpacing = TimestepSpacing.Linspace;

    /// <summary>Clamp the x0 estimate to [-1, 1] at every step.</summary>
    [Description("Clamp the x0 estimate to [-1, 1] at every step.")]
    public bool ClipSample { get; set; } = true;
}
