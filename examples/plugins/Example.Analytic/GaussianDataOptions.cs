using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Example.Analytic;

/// <summary>Options of <see cref="GaussianModality"/>.</summary>
public sealed class GaussianDataOptions
{
    /// <summary>Items in the training split (the test split has as many, from another seed).</summary>
    [Range(1, 1_000_000), Description("Items in each split.")]
    public int Count { get; set; } = 1000;

    /// <summary>Coordinates of each item.</summary>
    [Range(1, 4096), Description("Coordinates of each item.")]
    public int Dimensions { get; set; } = 2;

    /// <summary>Mean of every coordinate.</summary>
    [Range(-100.0, 100.0), Description("Mean of every coordinate.")]
    public double Mean { get; set; }

    /// <summary>Standard deviation of every coordinate.</summary>
    [Range(0.0, 100.0), Description("Standard deviation of every coordinate.")]
    public double Std { get; set; } = 1.0;
}
