namespace Diffusion.Samplers.Ddpm;

/// <summary>Options of <see cref="DdpmSampler"/>: the shared timestep-sampler options plus how the reverse steps are taken.</summary>
public sealed class DdpmOptions : TimestepSamplerOptions
{
    /// <summary>Variance of each reverse step. Default <see cref="DdpmVariance.FixedSmall"/>.</summary>
    [Description("Variance of each reverse step: fixed_small (posterior variance) or fixed_large (beta_t).")]
    public DdpmVariance Variance { get; set; } = DdpmVariance.FixedSmall;

    /// <summary>Clip the model's estimate of x0 to [−clip_range, clip_range] before each step. Default true.</summary>
    [Description("Clip the x0 estimate to [-clip_range, clip_range] before each step.")]
    public bool ClipSample { get; set; } = true;

    /// <summary>Bound used when <see cref="ClipSample"/> is set. Default 1.0 (images in [−1, 1]).</summary>
    [Range(1e-6, 1e6), Description("Bound of the x0 clipping.")]
    public double ClipRange { get; set; } = 1.0;
}
