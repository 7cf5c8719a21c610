namespace Diffusion.Stages;

/// <summary>Options of the <c>train</c> stage.</summary>
public sealed class TrainStageOptions : IValidatableObject
{
    /// <summary>The denoiser component to train.</summary>
    [Required, ComponentRef(PluginKind.Denoiser), Description("Denoiser component to train.")]
    public string Model { get; set; } = "";

    /// <summary>The modality component that provides the training data.</summary>
    [Required, ComponentRef(PluginKind.Modality), Description("Modality component providing the training data.")]
    public string Data { get; set; } = "";

    /// <summary>The sampler component whose noise schedule is trained on.</summary>
    [Required, ComponentRef(PluginKind.Sampler), OptionAlias("scheduler"), Description("Sampler component whose noise schedule is trained on.")]
    public string Sampler { get; set; } = "";

    /// <summary>Optimizer steps; 0 with <c>init_from</c> only loads trained weights (to sample or restore with them).</summary>
    [Range(0, int.MaxValue), Description("Optimizer steps (0 with init_from: load trained weights without training).")]
    public int Steps { get; set; } = 1000;

    /// <summary>Items per micro-batch (per optimizer step without gradient accumulation).</summary>
    [Range(1, 65536), Description("Items per micro-batch; a step sees batch_size * grad_accumulation items.")]
    public int BatchSize { get; set; } = 64;

    /// <summary>Micro-batches whose gradients are summed (averaged) into each optimizer step. Default 1.</summary>
    [Range(1, 4096), Description("Micro-batches whose gradients are averaged into each optimizer step.")]
    public int GradAccumulation { get; set; } = 1;

    /// <summary>Peak learning rate.</summary>
    [Range(1e-9, 10.0), Description("Peak learning rate.")]
    public double Lr { get; set; } = 2e-4;

    /// <summary>Learning-rate decay after warm-up. Default constant.</summary>
    [Description("Learning-rate decay after warm-up: constant or cosine (down to min_lr).")]
    public LrSchedule LrSchedule { get; set; } = LrSchedule.Constant;

    /// <summary>The learning rate a cosine decay ends at. Default 0.</summary>
    [Range(0.0, 10.0), Description("Learning rate the cosine decay ends at.")]
    public double MinLr { get; set; }

    /// <summary>Steps of linear learning-rate warm-up from 0.</summary>
    [Range(0, int.MaxValue), Description("Steps of linear learning-rate warm-up.")]
    public int WarmupSteps { get; set; }

    /// <summary>Optimizer.</summary>
    [Description("Optimizer: adamw, adam or sgd.")]
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.AdamW;

    /// <summary>Weight decay.</summary>
    [Range(0.0, 1.0), Description("Weight decay.")]
    public double WeightDecay { get; set; }

    /// <summary>Largest global gradient norm; 0 turns clipping off.</summary>
    [Range(0.0, 1e6), Description("Largest global gradient norm; 0 turns clipping off.")]
    public double GradClip { get; set; } = 1.0;

    /// <summary>How per-item losses are weighted by noise level. Default uniform.</summary>
    [Description("Loss weighting by noise level: uniform or min_snr (min-SNR-gamma, right for each prediction type).")]
    public LossWeighting LossWeighting { get; set; } = LossWeighting.Uniform;

    /// <summary>γ of min-SNR-γ weighting. Default 5.</summary>
    [Range(1e-3, 1e6), Description("Gamma of min_snr loss weighting.")]
    public double SnrGamma { get; set; } = 5.0;

    /// <summary>
    /// Scale of the noise offset (Guttenberg 2023): noise drawn once per item and channel (images) or per item (vectors),
    /// or per item and feature (sequences [L, D]), added to the training noise so the model learns to change overall
    /// brightness. Default 0 (off).
    /// </summary>
    [Range(0.0, 10.0), Description("Noise offset: extra noise constant over the pixels of each channel (e.g. 0.05); 0: off.")]
    public double NoiseOffset { get; set; }

    /// <summary>
    /// Probability that an item's condition is dropped during training, so one model also learns the unconditional
    /// prediction classifier-free guidance needs: class labels become the "no class" index (the class count), a context is zeroed.
    /// Default 0.
    /// </summary>
    [Range(0.0, 1.0), Description("Probability of dropping an item's condition (labels to 'no class', context zeroed) for classifier-free guidance.")]
    public double CondDropout { get; set; }

    /// <summary>Decay of the exponential moving average of the weights used for sampling; 0 turns it off.</summary>
    [Range(0.0, 0.99999), Description("EMA decay of the weights used for sampling (e.g. 0.999); 0: off, sample with the last weights.")]
    public double EmaDecay { get; set; }

    /// <summary>
    /// A safetensors file of weights (a checkpoint's <c>model.safetensors</c> or <c>ema.safetensors</c>, or a
    /// <c>diffusion export</c>) to start from instead of fresh weights; relative to the working directory. Every tensor
    /// must match the model by name and shape.
    /// </summary>
    [Description("Safetensors weights to start from (fine-tuning), relative to the working directory; must match the model.")]
    [ExistingPath(PathKind.File)]
    public string? InitFrom { get; set; }

    /// <summary>
    /// Super-resolution training (SR3): above 0, each training image downsampled by this factor (2 or 4, area average) and
    /// upsampled back (<see cref="LowResUpsample"/>) is fed to the denoiser as concatenated input channels
    /// (<c>Conditioning.Concat</c>; give the denoiser <c>extra_in_channels</c> equal to the image channels). Default 0 (off).
    /// </summary>
    [Description("Super-resolution training: feed the image downsampled by 2 or 4 and upsampled back as extra input channels (0 = off).")]
    public int LowResScale { get; set; }

    /// <summary>How the low-resolution condition is upsampled back (with <see cref="LowResScale"/>). Default bicubic.</summary>
    [Description("Upsampling of the low_res_scale condition: bicubic or bilinear.")]
    public LowResUpsample LowResUpsample { get; set; } = LowResUpsample.Bicubic;

    /// <summary>
    /// Start from the network an earlier stage of this run left for <see cref="Model"/> (for example a compress stage's
    /// pruned network: fine-tuning after pruning) instead of fresh weights. Layer shapes come from that network, and
    /// pruning masks stay applied after every step. Default false.
    /// </summary>
    [Description("Start from the network an earlier stage (e.g. compress) left for the model: fine-tune after pruning.")]
    public bool InitFromPrevious { get; set; }

    /// <summary>
    /// The type the forward and backward passes run in: fp32 (default), bf16 or fp16 on a low-precision copy of the
    /// network, with float32 master weights, optimizer state, weight average and checkpoints; fp16 adds dynamic loss
    /// scaling (<see cref="LossScale"/>).
    /// </summary>
    [Description("Forward/backward precision: fp32, bf16 or fp16 (weights, optimizer, EMA and checkpoints stay fp32; fp16 uses loss scaling). On a CPU bf16 pays off only with AVX512-BF16/AMX (measured 1.3x at 1 thread); fp16 runs there but 8-14x slower.")]
    public Precision Precision { get; set; } = Precision.Fp32;

    /// <summary>Initial loss scale of fp16 training (halved on overflow, doubled after 2000 good steps). Default 2^16.</summary>
    [Range(1e-4, 1e30), Description("Initial dynamic loss scale of precision: fp16 (halved when gradients overflow, doubled after 2000 good steps).")]
    public double LossScale { get; set; } = Training.LossScaler.InitialScale;

    /// <summary>Save a checkpoint every N steps (and always at the end); 0 saves only at the end.</summary>
    [Range(0, int.MaxValue), Description("Checkpoint every N steps (and at the end); 0: only at the end.")]
    public int CheckpointEvery { get; set; } = 500;

    /// <summary>
    /// Log <c>train/loss</c> every N steps, as the mean over those steps (and at the last step), summed on the device
    /// meanwhile. Default 1: every step's own loss. On a GPU a larger value (e.g. 50) saves the host read of the loss on the
    /// other steps; the finiteness check stays per step.
    /// </summary>
    [Range(1, int.MaxValue), Description("Log train/loss every N steps as the mean over them (1: every step; larger saves a GPU a host read per step).")]
    public int LogEvery { get; set; } = 1;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LowResScale is not (0 or 2 or 4))
            yield return new ValidationResult($"low_res_scale must be 0 (off), 2 or 4 (got {LowResScale})", [nameof(LowResScale)]);
        if (Steps == 0 && InitFrom is null && !InitFromPrevious)
            yield return new ValidationResult("steps: 0 trains nothing, so the model would be untrained: give init_from (a weights file) to load a trained model, or steps > 0", [nameof(Steps)]);
        if (InitFromPrevious && InitFrom is not null)
            yield return new ValidationResult("init_from and init_from_previous both choose the starting weights: keep one", [nameof(InitFromPrevious)]);
        if (Precision != Precision.Fp16 && LossScale != Training.LossScaler.InitialScale)
            yield return new ValidationResult($"loss_scale scales the loss of precision: fp16 training only (precision is {Precision.ToString().ToLowerInvariant()}): remove it or set precision: fp16", [nameof(LossScale)]);
    }
}
