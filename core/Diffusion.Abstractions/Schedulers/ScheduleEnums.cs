namespace Diffusion.Abstractions.Schedulers;

/// <summary>What the denoiser is trained to output.</summary>
public enum PredictionType
{
    /// <summary>The added noise (DDPM).</summary>
    Epsilon,
    /// <summary>The velocity sqrt(a)·eps − sqrt(1−a)·x0 (Salimans and Ho).</summary>
    VPrediction,
    /// <summary>The clean sample x0.</summary>
    Sample,
}

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
