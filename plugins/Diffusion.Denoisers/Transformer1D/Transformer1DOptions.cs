using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Diffusion.Denoisers.Transformer1D;

/// <summary>Options of <see cref="Transformer1DDenoiser"/>: width and depth of a bidirectional transformer over sequences.</summary>
public sealed class Transformer1DOptions : IValidatableObject
{
    /// <summary>Token width; a multiple of num_heads. Default 256.</summary>
    [Range(2, 16384), Description("Token width; a multiple of num_heads.")]
    public int HiddenSize { get; set; } = 256;

    /// <summary>Transformer blocks. Default 4.</summary>
    [Range(1, 128), Description("Transformer blocks.")]
    public int Depth { get; set; } = 4;

    /// <summary>Attention heads; must divide hidden_size. Default 4.</summary>
    [Range(1, 128), Description("Attention heads; must divide hidden_size.")]
    public int NumHeads { get; set; } = 4;

    /// <summary>Hidden width of each block's MLP as a multiple of hidden_size. Default 4.</summary>
    [Range(0.25, 64.0), Description("Hidden width of each block's MLP as a multiple of hidden_size.")]
    public double MlpRatio { get; set; } = 4.0;

    /// <summary>Dropout inside the blocks' MLPs, in [0, 1). Default 0.</summary>
    [Range(0.0, 1.0, MaximumIsExclusive = true), Description("Dropout inside the blocks' MLPs, in [0, 1).")]
    public double Dropout { get; set; }

    /// <summary>
    /// Condition the blocks on the timestep. Off, the timestep is ignored (as in masked diffusion models, where the
    /// number of masked tokens tells the noise level). Default true.
    /// </summary>
    [Description("Condition on the timestep (off: the timestep is ignored, as masked diffusion models often do).")]
    public bool TimeConditioning { get; set; } = true;

    /// <summary>Condition on class labels when the data has classes (with an extra "no class" index for guidance). Default false.</summary>
    [Description("Condition on class labels (with an extra 'no class' index for guidance) when the data has classes.")]
    public bool ClassConditional { get; set; }

    /// <summary>Width of <c>Conditioning.Context</c> tokens; above 0 every block cross-attends to the context. Default 0.</summary>
    [Range(0, 65536), Description("Width of the context tokens for cross-attention (0 = no context).")]
    public int ContextDim { get; set; }

    /// <summary>
    /// Channels of the image encoder, a small CNN over <c>Conditioning.Image</c> (image-to-text: the data's items carry a
    /// condition image); 0 builds none. Its pooled output joins the adaLN conditioning. Default 0.
    /// </summary>
    [Range(0, 4096), Description("Channels of the CNN that encodes the condition image (image-to-text; 0 = no image encoder). Needs data with condition images.")]
    public int ImageEncoderChannels { get; set; }

    /// <summary>Stride-2 stages of the image encoder, each halving the image side. Default 2 (28x28 gives 7x7 patches).</summary>
    [Range(1, 8), Description("Stride-2 stages of the image encoder (each halves the side; 2: 28x28 -> 7x7 patches).")]
    public int ImageEncoderDepth { get; set; } = 2;

    /// <summary>
    /// With an image encoder: every block also cross-attends to the encoder's patch tokens (besides the pooled vector in the
    /// adaLN conditioning), so the text can look at where things are. Default true.
    /// </summary>
    [Description("With an image encoder: blocks also cross-attend to its patch tokens (off: only the pooled image vector conditions the blocks).")]
    public bool ImageTokens { get; set; } = true;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (NumHeads > 0 && HiddenSize % NumHeads != 0)
            yield return new ValidationResult($"num_heads ({NumHeads}) must divide hidden_size ({HiddenSize})", [nameof(NumHeads)]);
        if (TimeConditioning && HiddenSize % 2 != 0)
            yield return new ValidationResult($"hidden_size must be even for the sinusoidal timestep embedding (got {HiddenSize})", [nameof(HiddenSize)]);
        if (ImageEncoderChannels > 0 && ImageTokens && ContextDim > 0)
            yield return new ValidationResult(
                "the blocks cross-attend either to a context (context_dim) or to the image encoder's patch tokens (image_tokens), not both: set context_dim: 0 or image_tokens: false",
                [nameof(ContextDim)]);
    }
}
