using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Example.TinyConv;

/// <summary>Options of <see cref="TinyConvDenoiser"/>.</summary>
public sealed class TinyConvOptions
{
    /// <summary>Feature channels of the hidden layers.</summary>
    [Range(1, 1024), Description("Feature channels of the hidden layers.")]
    public int Hidden { get; set; } = 32;
}
