namespace Diffusion.Stages;

/// <summary>How the per-item losses are weighted by noise level.</summary>
public enum LossWeighting
{
    /// <summary>Every item counts the same: plain mean squared error.</summary>
    Uniform,
    /// <summary>
    /// Min-SNR-γ (Hang et al. 2023): the weight that turns the loss into an x0 loss with SNR clipped at γ: min(SNR, γ)/SNR
    /// for epsilon prediction, min(SNR, γ)/(SNR + 1) for v prediction, min(SNR, γ) for sample prediction.
    /// </summary>
    [OptionName("min_snr")]
    MinSnr,
}
