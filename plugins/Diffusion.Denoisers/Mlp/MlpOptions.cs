using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Diffusion.Denoisers.Mlp;

/// <summary>Options of <see cref="MlpDenoiser"/>: width and depth of a residual MLP.</summary>
public sealed class MlpOptions
{
    /// <summary>Width of the hidden layers (and of the timestep embedding). Default 256.</summary>
    [Range(2, 65536), Description("Width of the hidden layers and of the timestep embedding.")]
    public int HiddenSize { get; set; } = 256;

    /// <summary>Residual blocks (two linear layers each). Default 3.</summary>
    [Range(1, 256), Description("Residual blocks (two linear layers each).")]
    public int Depth { get; set; } = 3;

    /// <summary>Dropout inside the blocks, in [0, 1). Default 0.</summary>
    [Range(0.0, 1.0, MaximumIsExclusive = true), Description("Dropout inside the blocks, in [0, 1).")]
    public double Dropout { get; set; }

    /// <summary>Condition on class labels when the data has classes (with an extra "no class" index for guidance). Default false.</summary>
    [Description("Condition on class labels (with an extra 'no class' index for guidance) when the data has classes.")]
    public bool ClassConditional { get; set; }

    /// <summary>Features of <c>Conditioning.Concat</c> ([B, ...], flattened) concatenated to the input. Default 0.</summary>
    [Range(0, 1 << 20), Description("Features concatenated to the input from the conditioning (0 = none).")]
    public int ExtraInChannels { get; set; }
}
