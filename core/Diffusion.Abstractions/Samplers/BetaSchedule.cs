namespace Diffusion.Abstractions.Samplers;

/// <summary>How betas are spaced over the training timesteps.</summary>
public enum BetaSchedule
{
    /// <summary>Linear in beta from beta_start to beta_end (DDPM).</summary>
    Linear,
    /// <summary>Linear in sqrt(beta) (Stable Diffusion).</summary>
    ScaledLinear,
    /// <summary>Cosine alpha-bar, the "squaredcos_cap_v2" schedule (Nichol and Dhariwal).</summary>
    Cosine,
    /// <summary>Sigmoid-spaced betas (GeoDiff).</summary>
    Sigmoid,
}
