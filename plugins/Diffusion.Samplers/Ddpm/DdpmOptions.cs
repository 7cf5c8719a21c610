namespace Diffusion.Samplers.Ddpm;

/// <summary>Options of <see cref="DdpmSampler"/>: the shared timestep-sampler options plus how the reverse steps are taken.</summary>
public sealed class DdpmOptions : TimestepSamplerOptions
{
    /// <summary>Variance of each reverse step. Default <see cref="DdpmVariance.FixedSmall"/>.</summary>
    [Description("Variance of each reverse step: fixed_small (posterior variance) or fixed_large (beta_t).")]
    public DdpmVariance Variance { get; set; } = DdpmVariance.FixedSmall;

    /// <summary>
    /// Clip the model's estimate of x0 to [−clip_range, clip_range] before each step. Default false (it was true, as in
    /// diffusers): clipping assumes data in [−1, 1] and silently biases anything else (on N(0.3, 0.5²) data ddim's samples
    /// had mean 0.284 and std 0.44). Set clip_sample: true for images scaled to [−1, 1], where it can help at few steps.
    /// </summary>
    [Description("Clip the x0 estimate to [-clip_range, clip_range] before each step (default false; true suits data known to lie in [-1, 1], e.g. images).")]
    public bool ClipSample { get; set; }

    /// <summary>Bound used when <see cref="ClipSample"/> is set. Default 1.0 (images in [−1, 1]).</summary>
    [Range(1e-6, 1e6), Description("Bound of the x0 clipping.")]
    public double ClipRange { get; set; } = 1.0;
}
