namespace Diffusion.Stages;

/// <summary>Options of the <c>evaluate</c> stage.</summary>
public sealed class EvaluateStageOptions
{
    /// <summary>The modality whose held-out split is the reference and whose metrics score the samples.</summary>
    [Required, ComponentRef(PluginKind.Modality), Description("Modality component: reference data and metrics.")]
    public string Data { get; set; } = "";

    /// <summary>A trained model to measure the held-out denoising loss of (optional).</summary>
    [ComponentRef(PluginKind.Denoiser), Description("Trained denoiser to measure held-out denoising loss (optional).")]
    public string? Model { get; set; }

    /// <summary>
    /// The token sampler the model was trained with (token data only): the held-out loss is then its NELBO, logged as
    /// <c>nelbo</c> (nats per token) and <c>nelbo_ppl</c> (its exponential, a perplexity upper bound).
    /// </summary>
    [ComponentRef(PluginKind.Sampler), OptionAlias("scheduler"), Description("Token sampler the model was trained with (token data: held-out NELBO and its perplexity bound).")]
    public string? Sampler { get; set; }

    /// <summary>Held-out items used for the denoising loss.</summary>
    [Range(1, 100_000), Description("Held-out items used for the denoising loss.")]
    public int LossItems { get; set; } = 256;

    /// <summary>Noise levels per item for the denoising loss, evenly spaced over the schedule (token data: NELBO draws per item).</summary>
    [Range(1, 1000), Description("Noise levels per item for the denoising loss, evenly spaced (token data: NELBO draws per item).")]
    public int LossTimesteps { get; set; } = 10;
}
