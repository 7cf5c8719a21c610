namespace Diffusion.Stages;

/// <summary>
/// The floating-point type a stage runs the denoiser's forward (and backward) pass in. The weights, the optimizer state,
/// the weight average and the checkpoints stay float32 whatever it is (docs/training.md, "Mixed precision").
/// </summary>
public enum Precision
{
    /// <summary>Everything in float32 (the default).</summary>
    Fp32,
    /// <summary>bfloat16 forward and backward on a bfloat16 copy of the network; float32 master weights and loss.</summary>
    Bf16,
    /// <summary>float16 forward and backward with dynamic loss scaling; float32 master weights and loss.</summary>
    Fp16,
}
