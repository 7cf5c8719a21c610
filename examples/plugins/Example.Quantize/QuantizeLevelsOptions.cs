using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Example.Quantize;

/// <summary>Options of <see cref="QuantizeLevelsPostProcessor"/>.</summary>
public sealed class QuantizeLevelsOptions
{
    /// <summary>Number of evenly spaced values in [-1, 1] that samples are rounded to.</summary>
    [Range(2, 65_536), Description("Number of evenly spaced values in [-1, 1] that samples are rounded to.")]
    public int Levels { get; set; } = 16;
}
