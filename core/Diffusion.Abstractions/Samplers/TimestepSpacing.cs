using Diffusion.Abstractions.Options;

namespace Diffusion.Abstractions.Samplers;

/// <summary>
/// How a sampler picks its timesteps when it runs fewer steps than the schedule has training timesteps
/// (the spacings of diffusers' <c>timestep_spacing</c>, compared in Lin et al. 2023, table 2).
/// </summary>
public enum TimestepSpacing
{
    /// <summary>Multiples of T / n counted up from 0: 980, 960, ..., 0 for 50 of 1000 (DDPM, DDIM, Stable Diffusion).</summary>
    Leading,
    /// <summary>Counted down from T − 1 in steps of T / n: 999, 979, ..., 19 for 50 of 1000; always starts at the noisiest step.</summary>
    Trailing,
    /// <summary>n evenly spaced values from T − 1 down to 0, rounded.</summary>
    [OptionName("linspace")]
    Linspace,
    /// <summary>
    /// The n noisiest of n + 1 evenly spaced values from T − 1 down to 0, rounded: 999, 899, ..., 100 for 10 of 1000. 0 is
    /// left out, so the last model evaluation is at t ≈ T/n and the last step goes from there to the clean sample: what
    /// diffusers' DPM-Solver, UniPC and DEIS schedulers call "linspace" (<c>linspace(0, T − 1, n + 1).round()[::-1][:-1]</c>).
    /// The log σ steps stay even to the end, where <see cref="Linspace"/> ends with one as large as several before it.
    /// </summary>
    [OptionName("linspace_skip_zero")]
    LinspaceSkipZero,
}
