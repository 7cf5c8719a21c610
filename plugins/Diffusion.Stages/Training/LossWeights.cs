namespace Diffusion.Stages.Training;

/// <summary>Per-item loss weights by noise level.</summary>
internal static class LossWeights
{
    /// <summary>
    /// The weights [B] (float64) for timesteps <paramref name="t"/> [B], or null for uniform weighting. Min-SNR-γ with
    /// SNR = ᾱ/(1 − ᾱ): min(SNR, γ)/SNR for epsilon (written min(1, γ/SNR), which is 1 where SNR is 0), min(SNR, γ)/(SNR + 1)
    /// for v prediction, min(SNR, γ) for sample prediction.
    /// </summary>
    public static Tensor? For(LossWeighting weighting, double gamma, NoiseSchedule schedule, Tensor t)
    {
        if (weighting == LossWeighting.Uniform) return null;
        if (schedule.IsFlow)
            throw new PluginInputException("loss_weighting: min_snr is for diffusion schedules; a flow-matching model trains on the plain velocity loss (choose its training times with the sampler's time_sampling): remove loss_weighting");
        using var like = empty(t.shape[0], dtype: ScalarType.Float64, device: t.device);
        var alphaBar = schedule.AlphaBarAt(t, like);
        var snr = alphaBar / (1 - alphaBar);
        return schedule.Prediction switch
        {
            PredictionType.Epsilon => (gamma / snr).clamp_max(1.0),
            PredictionType.VPrediction => snr.clamp_max(gamma) / (snr + 1),
            PredictionType.Sample => snr.clamp_max(gamma),
            _ => throw new InvalidOperationException($"no min-SNR weighting for {schedule.Prediction}"),
        };
    }

    /// <summary>The loss of <paramref name="output"/> against <paramref name="target"/>: plain MSE, or the weighted mean of per-item MSEs.</summary>
    public static Tensor Loss(Tensor output, Tensor target, Tensor? weights)
    {
        if (weights is null) return nn.functional.mse_loss(output, target);
        var perItem = (output - target).square().flatten(1).mean([1]);
        return (perItem * weights.to(perItem.dtype)).mean();
    }
}
