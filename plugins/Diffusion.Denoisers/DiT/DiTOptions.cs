using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Diffusion.Denoisers.DiT;

/// <summary>Options of <see cref="DiTDenoiser"/>: patch size, width and depth of the transformer.</summary>
public sealed class DiTOptions : IValidatableObject
{
    /// <summary>Side of the square patches the image is cut into (each is one token). Default 2.</summary>
    [Range(1, 64), Description("Side of the square patches the image is cut into (one token each).")]
    public int PatchSize { get; set; } = 2;

    /// <summary>Token width; a multiple of 4 (for the 2-D sine-cosine positions) and of num_heads. Default 128.</summary>
    [Range(4, 8192), Description("Token width; a multiple of 4 and of num_heads.")]
    public int HiddenSize { get; set; } = 128;

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

    /// <summary>Condition on class labels when the data has classes (with an extra "no class" index for guidance). Default false.</summary>
    [Description("Condition on class labels (with an extra 'no class' index for guidance) when the data has classes.")]
    public bool ClassConditional { get; set; }

    /// <summary>Channels of <c>Conditioning.Concat</c> concatenated to the input before patchifying. Default 0.</summary>
    [Range(0, 1024), Description("Channels concatenated to the input from the conditioning (0 = none).")]
    public int ExtraInChannels { get; set; }

    /// <summary>
    /// Width of <c>Conditioning.Context</c> tokens; above 0 every block gets cross-attention to the context and its
    /// pooled mean joins the adaLN conditioning. Default 0 (no context).
    /// </summary>
    [Range(0, 65536), Description("Width of the context tokens for cross-attention (0 = no context).")]
    public int ContextDim { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HiddenSize % 4 != 0)
            yield return new ValidationResult($"hidden_size must be a multiple of 4 for the 2-D sine-cosine positions (got {HiddenSize})", [nameof(HiddenSize)]);
        if (NumHeads > 0 && HiddenSize % NumHeads != 0)
            yield return new ValidationResult($"num_heads ({NumHeads}) must divide hidden_size ({HiddenSize})", [nameof(NumHeads)]);
    }
}
