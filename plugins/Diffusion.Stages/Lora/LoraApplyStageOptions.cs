namespace Diffusion.Stages.Lora;

/// <summary>Options of the <c>lora-apply</c> stage.</summary>
public sealed class LoraApplyStageOptions : IValidatableObject
{
    /// <summary>The trained denoiser component the adapters go onto.</summary>
    [Required, ComponentRef(PluginKind.Denoiser), Description("Trained denoiser component to load the adapters onto.")]
    public string Model { get; set; } = "";

    /// <summary>Adapter files (safetensors with PEFT key names), relative to the working directory.</summary>
    [Required, MinLength(1), Description("LoRA adapter files (safetensors, PEFT key names) to load, relative to the working directory.")]
    public string[] Adapters { get; set; } = [];

    /// <summary>One weight per adapter (its update is multiplied by it); default 1 for each.</summary>
    [Description("One weight per adapter, multiplying its update (default: 1 each).")]
    public double[]? Weights { get; set; }

    /// <summary>Fold the adapters into the weights (and write <c>lora/STAGE/merged.safetensors</c>) instead of keeping them as hooks.</summary>
    [Description("Merge the adapters into the weights and write lora/STAGE/merged.safetensors.")]
    public bool Merge { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Weights is not null && Weights.Length != Adapters.Length)
            yield return new ValidationResult($"weights has {Weights.Length} values for {Adapters.Length} adapters; give one weight per adapter", [nameof(Weights)]);
        foreach (string path in Adapters)
        {
            if (string.IsNullOrWhiteSpace(path))
                yield return new ValidationResult("adapters holds an empty path; name adapter files (lora/STAGE/adapter.safetensors of a run)", [nameof(Adapters)]);
            else if (!File.Exists(Path.GetFullPath(path)))
                yield return new ValidationResult($"adapter '{path}' ({Path.GetFullPath(path)}) does not exist; name a lora stage's adapter.safetensors", [nameof(Adapters)]);
        }
    }
}
