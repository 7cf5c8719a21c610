namespace Diffusion.Stages;

/// <summary>Options of the <c>compress</c> stage.</summary>
public sealed class CompressStageOptions : IValidatableObject
{
    /// <summary>The denoiser component whose trained model is compressed.</summary>
    [Required, ComponentRef(PluginKind.Denoiser), Description("Denoiser component whose trained model is compressed.")]
    public string Model { get; set; } = "";

    /// <summary>Compression pass components applied in order.</summary>
    [Required, MinLength(1), ComponentRef(PluginKind.Compression), Description("Compression pass components, applied in order.")]
    public string[] Passes { get; set; } = [];

    /// <summary>The modality whose metrics score samples before and after (with <see cref="Sampler"/>); optional.</summary>
    [ComponentRef(PluginKind.Modality), Description("Modality component whose metrics score samples before and after each pass (needs sampler).")]
    public string? Data { get; set; }

    /// <summary>The sampler timed for latency and used to draw the scored samples; optional.</summary>
    [ComponentRef(PluginKind.Sampler), OptionAlias("scheduler"), Description("Sampler component used to time sampling and draw the scored samples (optional).")]
    public string? Sampler { get; set; }

    /// <summary>Sampling steps of the timed and scored sampling calls. Default 50.</summary>
    [Range(1, 100_000), Description("Sampling steps of the timed and scored sampling calls.")]
    public int SampleSteps { get; set; } = 50;

    /// <summary>Samples drawn and scored before and after each pass (with data and sampler). Default 64; 0: no scoring.</summary>
    [Range(0, 1_000_000), Description("Samples scored before and after each pass (needs data and sampler); 0: none.")]
    public int EvalCount { get; set; } = 64;

    /// <summary>Timed sampling calls; the median is recorded. Default 3; 0: no timing.</summary>
    [Range(0, 1000), Description("Timed sampling calls (after the warm-up calls); the median is recorded. 0: none.")]
    public int LatencyRuns { get; set; } = 3;

    /// <summary>Untimed sampling calls before the timed ones (each network). Default 2.</summary>
    [Range(0, 100), Description("Untimed warm-up sampling calls before the timed ones, for each network timed.")]
    public int LatencyWarmup { get; set; } = 2;

    /// <summary>
    /// CPU threads while timing (0 leaves the setting alone). On a shared or oversubscribed machine, 1 gives timings that
    /// follow the work done rather than thread scheduling. Default 0.
    /// </summary>
    [Range(0, 1024), Description("CPU threads while timing; 0 leaves the setting alone (1 gives stable timings on a busy machine).")]
    public int LatencyThreads { get; set; }

    /// <summary>Items per timed sampling call. Default 1.</summary>
    [Range(1, 65536), Description("Items per timed sampling call.")]
    public int LatencyBatch { get; set; } = 1;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Data is not null && Sampler is null && EvalCount > 0)
            yield return new ValidationResult("data is set to score samples, but there is no sampler to draw them: set sampler (a sampler component) or remove data", [nameof(Sampler)]);
    }
}
