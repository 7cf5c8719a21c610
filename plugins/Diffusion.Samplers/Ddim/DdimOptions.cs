namespace Diffusion.Samplers.Ddim;

/// <summary>Options of <see cref="DdimSampler"/>: the shared timestep-sampler options plus how the steps are taken.</summary>
public sealed class DdimOptions : TimestepSamplerOptions
{
    /// <summary>η: 0 (default) is the deterministic DDIM; 1 adds the DDPM posterior noise.</summary>
    [Range(0.0, 1.0), Description("Noise per step: 0 is deterministic DDIM (invertible), 1 matches DDPM's posterior noise.")]
    public double Eta { get; set; }

    /// <summary>
    /// Clip the model's estimate of x0 to [−clip_range, clip_range] before each step. Default true, as diffusers: every
    /// shipped pipeline samples images scaled to [−1, 1], where it keeps few-step samples in range. It assumes such data:
    /// on anything else it biases the samples (on N(0.3, 0.5²) data, 8% of it above 1, ddpm gave mean 0.273 and std 0.458
    /// with it, 0.292 and 0.498 without), so set clip_sample: false for data not bounded by clip_range.
    /// </summary>
    [Description("Clip the x0 estimate to [-clip_range, clip_range] before each step (default true, for images in [-1, 1]; set false for data not bounded by clip_range, which it biases).")]
    public bool ClipSample { get; set; } = true;

    /// <summary>Bound used when <see cref="ClipSample"/> is set. Default 1.0 (images in [−1, 1]).</summary>
    [Range(1e-6, 1e6), Description("Bound of the x0 clipping.")]
    public double ClipRange { get; set; } = 1.0;
}
