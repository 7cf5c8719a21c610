namespace Diffusion.Abstractions.Samplers;

/// <summary>What the denoiser is trained to output.</summary>
public enum PredictionType
{
    /// <summary>The added noise (DDPM).</summary>
    Epsilon,
    /// <summary>The velocity sqrt(a)·eps − sqrt(1−a)·x0 (Salimans and Ho).</summary>
    VPrediction,
    /// <summary>The clean sample x0.</summary>
    Sample,
    /// <summary>
    /// The EDM-preconditioned output F (Karras et al. 2022) with σ_data = 0.5: x0 = c_skip·x_σ + c_out·F, where x_σ = x_t/√ᾱ,
    /// c_skip = σ_d²/(σ² + σ_d²) and c_out = σ·σ_d/√(σ² + σ_d²). F has unit variance at every noise level for data of
    /// standard deviation σ_d, blending −ε at low noise and x0/σ_d at high noise.
    /// </summary>
    Edm,
    /// <summary>
    /// Rectified flow (Liu et al. 2022; Lipman et al. 2022; Stable Diffusion 3): the model sees x_t = (1 − t)·x0 + t·ε for
    /// t ∈ [0, 1] and outputs the velocity ε − x0. A schedule with this prediction is <see cref="NoiseSchedule.RectifiedFlow"/>
    /// (its beta options are ignored); see <see cref="NoiseSchedule.FlowTimeAt(double)"/> for the timestep the network gets.
    /// </summary>
    Flow,
}
