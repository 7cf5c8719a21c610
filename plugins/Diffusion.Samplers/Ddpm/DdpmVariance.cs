namespace Diffusion.Samplers.Ddpm;

/// <summary>The variance of each ancestral step of <see cref="DdpmSampler"/>.</summary>
public enum DdpmVariance
{
    /// <summary>The posterior variance β̃_t = (1 − ᾱ_prev) / (1 − ᾱ_t) · β_t, the lower bound (Ho et al. 2020).</summary>
    FixedSmall,
    /// <summary>β_t itself, the upper bound.</summary>
    FixedLarge,
}
