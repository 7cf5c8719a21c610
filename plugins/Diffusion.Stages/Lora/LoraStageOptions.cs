namespace Diffusion.Stages.Lora;

/// <summary>Options of the <c>lora</c> stage.</summary>
public sealed class LoraStageOptions : IValidatableObject
{
    /// <summary>The denoiser component to adapt: the model an earlier stage trained, or built and loaded from <see cref="InitFrom"/>.</summary>
    [Required, ComponentRef(PluginKind.Denoiser), Description("Denoiser component to adapt (trained by an earlier stage, or loaded with init_from).")]
    public string Model { get; set; } = "";

    /// <summary>The data to adapt the model to.</summary>
    [Required, ComponentRef(PluginKind.Modality), Description("Modality component with the data to adapt to.")]
    public string Data { get; set; } = "";

    /// <summary>The sampler whose noise schedule the loss uses (the base model's own when an earlier stage trained it).</summary>
    [Required, ComponentRef(PluginKind.Sampler), Description("Sampler component whose schedule the loss uses when the base comes from init_from.")]
    public string Sampler { get; set; } = "";

    /// <summary>Base weights (a checkpoint's model/ema.safetensors or a 'diffusion export' file); never written to.</summary>
    [ExistingPath(PathKind.File), Description("Base weights to adapt (safetensors); unset: the model an earlier stage trained.")]
    public string? InitFrom { get; set; }

    /// <summary>Only the training items of this class (index into the data's classes); -1 keeps every item.</summary>
    [Range(-1, int.MaxValue), Description("Adapt to the items of one class only (its index); -1: all items.")]
    public int ClassLabel { get; set; } = -1;

    /// <summary>The rank r of every update.</summary>
    [Range(1, 4096), Description("Rank r of every low-rank update.")]
    public int Rank { get; set; } = 4;

    /// <summary>Updates are scaled by alpha / rank; default: equal to the rank (scale 1).</summary>
    [Range(0.0, 1e6), Description("Scale numerator: updates are multiplied by alpha / rank (default: the rank, scale 1).")]
    public double? Alpha { get; set; }

    /// <summary>Dropout on the adapters' inputs while training.</summary>
    [Range(0.0, 0.99), Description("Dropout on the adapters' inputs while training.")]
    public double Dropout { get; set; }

    /// <summary>Layers to adapt: last names (qkv) or globs over the dotted path (up_blocks.*.conv1).</summary>
    [MinLength(1), Description("Layers to adapt: a layer's last name (qkv, to_q) or a glob over its path (up_blocks.*.conv1). Default: attention projections.")]
    public string[] Targets { get; set; } = [.. LoraTargets.Attention];

    /// <summary>Optimizer steps.</summary>
    [Range(0, 100_000_000), Description("Optimizer steps.")]
    public int Steps { get; set; } = 500;

    /// <summary>Items per step.</summary>
    [Range(1, 65536), Description("Items per step.")]
    public int BatchSize { get; set; } = 32;

    /// <summary>AdamW learning rate of the adapters.</summary>
    [Range(0.0, 10.0), Description("Learning rate (AdamW) of the adapters.")]
    public double Lr { get; set; } = 1e-3;

    /// <summary>Gradient norm clip (0 = off).</summary>
    [Range(0.0, 1e6), Description("Clip the adapters' gradient norm to this (0 = off).")]
    public double GradClip { get; set; } = 1.0;

    /// <summary>Probability of dropping an item's condition, for classifier-free guidance of the adapted model.</summary>
    [Range(0.0, 1.0), Description("Probability of dropping an item's condition (for classifier-free guidance).")]
    public double CondDropout { get; set; }

    /// <summary>
    /// Fold the trained adapters into the network's weights for the later stages and write the merged weights
    /// (<c>lora/STAGE/merged.safetensors</c>); the adapter file is written either way.
    /// </summary>
    [Description("Merge the adapters into the weights for later stages and write lora/STAGE/merged.safetensors.")]
    public bool Merge { get; set; }

    /// <summary>
    /// Trains every weight of the model instead of adapters, with the same loop, data and held-out measure: the baseline a
    /// LoRA fine-tune is compared against (no adapter file is written).
    /// </summary>
    [Description("Baseline: fine-tune every weight instead of adapters (same loop and data; no adapter file).")]
    public bool FullFinetune { get; set; }

    /// <summary>Held-out items (of <c>class_label</c>) scored before and after, at 8 fixed noise levels (0: no held-out score).</summary>
    [Range(0, 100_000), Description("Held-out items (test split, of class_label) whose denoising loss is scored before and after (0 = off).")]
    public int EvalItems { get; set; } = 256;

    /// <summary>The alpha in effect.</summary>
    public double EffectiveAlpha => Alpha ?? Rank;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Targets.Any(string.IsNullOrWhiteSpace))
            yield return new ValidationResult("targets holds an empty pattern; name layers such as qkv or up_blocks.*.conv1", [nameof(Targets)]);
    }
}
