namespace Diffusion.Stages;

/// <summary>Options of the <c>sample</c> stage.</summary>
public sealed class SampleStageOptions : GuidedSamplingOptions, IValidatableObject
{
    /// <summary>The trained denoiser component to sample from.</summary>
    [Required, ComponentRef(PluginKind.Denoiser), Description("Trained denoiser component to sample from.")]
    public string Model { get; set; } = "";

    /// <summary>The sampler to use; any sampler works with any trained model.</summary>
    [Required, ComponentRef(PluginKind.Sampler), OptionAlias("scheduler"), Description("Sampler component that draws the samples.")]
    public string Sampler { get; set; } = "";

    /// <summary>The modality that writes the samples (e.g. as a PNG grid); none writes nothing.</summary>
    [ComponentRef(PluginKind.Modality), Description("Modality component that writes the samples as artifacts (optional).")]
    public string? Data { get; set; }

    /// <summary>Number of samples.</summary>
    [Range(1, 1_000_000), Description("Number of samples.")]
    public int Count { get; set; } = 64;

    /// <summary>Samples per batch; does not change any sample's values.</summary>
    [Range(1, 65536), Description("Samples per batch (does not change the samples).")]
    public int BatchSize { get; set; } = 64;

    /// <summary>Denoising steps (network evaluations for first-order samplers).</summary>
    [Range(1, 100_000), Description("Denoising steps.")]
    public int Steps { get; set; } = 50;

    /// <summary>
    /// The type the denoiser's forward pass runs in: fp32 (default), bf16 or fp16 on a low-precision copy of the network;
    /// the sampler's state and arithmetic stay float32.
    /// </summary>
    [Description("Precision of the denoiser's forward pass: fp32, bf16 or fp16 (the sampler's state stays fp32). On a CPU bf16 pays off only with AVX512-BF16/AMX (measured 1.3x at 1 thread); fp16 runs there but 8-14x slower.")]
    public Precision Precision { get; set; } = Precision.Fp32;

    /// <summary>
    /// The mistakes the options alone decide, reported at validation (file and line, exit 2) before anything trains.
    /// Those that depend on the trained model or the data's size are checked when the stage runs.
    /// </summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => ValidateConditions(Data);
}
