using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Diffusion.Denoisers.UNet2D;

/// <summary>Options of <see cref="UNet2DDenoiser"/>: the size and shape of the U-Net.</summary>
public sealed class UNet2DOptions : IValidatableObject
{
    /// <summary>Channels of the first level; level i has base_channels · channel_mults[i]. Default 32.</summary>
    [Range(2, 4096), Description("Channels of the first level; level i has base_channels * channel_mults[i].")]
    public int BaseChannels { get; set; } = 32;

    /// <summary>Channel multiplier per resolution level; each level after the first halves the resolution. Default [1, 2, 2].</summary>
    [Description("Channel multiplier per level; each level after the first halves the resolution.")]
    public int[] ChannelMults { get; set; } = [1, 2, 2];

    /// <summary>Residual blocks per level on the way down (the way up has one more). Default 1.</summary>
    [Range(1, 16), Description("Residual blocks per level on the way down (the way up has one more).")]
    public int ResBlocks { get; set; } = 1;

    /// <summary>Feature-map sizes (height in pixels) at which blocks also get self-attention. Default [8].</summary>
    [Description("Feature-map sizes (height) at which blocks get self-attention; the middle block always has it.")]
    public int[] AttentionResolutions { get; set; } = [8];

    /// <summary>Attention heads; must divide every level's channel count. Default 4.</summary>
    [Range(1, 64), Description("Attention heads; must divide every level's channel count.")]
    public int NumHeads { get; set; } = 4;

    /// <summary>Dropout inside residual blocks, in [0, 1). Default 0.</summary>
    [Range(0.0, 1.0, MaximumIsExclusive = true), Description("Dropout inside residual blocks, in [0, 1).")]
    public double Dropout { get; set; }

    /// <summary>GroupNorm groups; must divide base_channels (and so every level's channels). Default 8.</summary>
    [Range(1, 1024), Description("GroupNorm groups; must divide base_channels.")]
    public int Groups { get; set; } = 8;

    /// <summary>
    /// Condition on class labels when the data has classes: adds a class embedding with an extra "no class"
    /// index (the class count) for classifier-free guidance. Default false.
    /// </summary>
    [Description("Condition on class labels (with an extra 'no class' index for guidance) when the data has classes.")]
    public bool ClassConditional { get; set; }

    /// <summary>Channels of <c>Conditioning.Concat</c> concatenated to the input (e.g. a low-resolution image). Default 0.</summary>
    [Range(0, 1024), Description("Channels concatenated to the input from the conditioning (0 = none).")]
    public int ExtraInChannels { get; set; }

    /// <summary>
    /// Width of <c>Conditioning.Context</c> tokens (e.g. a text encoder's output). Above 0, every block at an attention
    /// resolution (and the middle block) also cross-attends to the context, and the mean of the valid context tokens
    /// is projected and added to the time embedding (a pooled text embedding). No context at sampling time means
    /// "unconditional", the same as a zeroed context. Default 0 (no context).
    /// </summary>
    [Range(0, 65536), Description("Width of the context tokens for cross-attention at the attention resolutions (0 = no context).")]
    public int ContextDim { get; set; }

    /// <summary>
    /// Transformer layers of a text encoder for the data's condition tokens (captions): token and position embeddings,
    /// this many encoder layers and a projection to <see cref="ContextDim"/>, trained with the U-Net; its output is the
    /// cross-attention context (padding masked; a caption of only padding maps to a learned null condition). Needs
    /// context_dim and captioned data. Default 0 (no text encoder).
    /// </summary>
    [Range(0, 64), Description("Transformer layers of a text encoder for the data's caption tokens (0 = none); its output feeds cross-attention, so context_dim must be set. Needs captioned data (e.g. the captioned-image modality).")]
    public int TextEncoderLayers { get; set; }

    /// <summary>Width of the text encoder's embeddings and layers. Default 64.</summary>
    [Range(8, 4096), Description("Width of the text encoder's embeddings and layers (divisible by text_encoder_heads).")]
    public int TextEncoderWidth { get; set; } = 64;

    /// <summary>Attention heads of the text encoder; must divide text_encoder_width. Default 4.</summary>
    [Range(1, 64), Description("Attention heads of the text encoder; must divide text_encoder_width.")]
    public int TextEncoderHeads { get; set; } = 4;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (TextEncoderLayers > 0 && ContextDim == 0)
            yield return new ValidationResult(
                "text_encoder_layers adds a text encoder whose output feeds cross-attention, but context_dim is 0: set context_dim (e.g. 64)",
                [nameof(TextEncoderLayers)]);
        if (TextEncoderLayers > 0 && TextEncoderWidth % TextEncoderHeads != 0)
            yield return new ValidationResult(
                $"text_encoder_heads ({TextEncoderHeads}) must divide text_encoder_width ({TextEncoderWidth})", [nameof(TextEncoderHeads)]);
        if (ChannelMults is null || ChannelMults.Length == 0)
        {
            yield return new ValidationResult("channel_mults needs at least one level", [nameof(ChannelMults)]);
            yield break;
        }
        if (ChannelMults.Any(m => m < 1))
            yield return new ValidationResult($"channel_mults must all be positive (got [{string.Join(", ", ChannelMults)}])", [nameof(ChannelMults)]);
        if (BaseChannels % 2 != 0)
            yield return new ValidationResult($"base_channels must be even for the sinusoidal timestep embedding (got {BaseChannels})", [nameof(BaseChannels)]);
        if (Groups > 0 && BaseChannels % Groups != 0)
            yield return new ValidationResult(
                $"groups ({Groups}) must divide base_channels ({BaseChannels}) so that GroupNorm can split every level's channels; try {SuggestGroups()}",
                [nameof(Groups)]);
        var levelChannels = ChannelMults.Where(m => m >= 1).Select(m => BaseChannels * m).Distinct().ToArray();
        var notDivided = levelChannels.Where(c => NumHeads > 0 && c % NumHeads != 0).ToArray();
        if (notDivided.Length > 0)
            yield return new ValidationResult(
                $"num_heads ({NumHeads}) must divide every level's channel count (it does not divide {string.Join(", ", notDivided)})",
                [nameof(NumHeads)]);
        if (AttentionResolutions is null)
            yield return new ValidationResult("attention_resolutions must be a list (use [] for none)", [nameof(AttentionResolutions)]);
        else if (AttentionResolutions.Any(r => r < 1))
            yield return new ValidationResult("attention_resolutions must hold positive feature-map sizes", [nameof(AttentionResolutions)]);
    }

    private int SuggestGroups()
    {
        for (int g = Math.Min(Groups, BaseChannels); g > 1; g--)
            if (BaseChannels % g == 0) return g;
        return 1;
    }
}
