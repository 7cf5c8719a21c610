using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Example.SampleStats;

/// <summary>Options of <see cref="SampleStatsStage"/>.</summary>
public sealed class SampleStatsOptions
{
    /// <summary>Values outside [-limit, limit] count as out of range. Default 1: the model space of images.</summary>
    [Range(1e-6, 1e6), Description("Values outside [-limit, limit] count as out of range (1: the [-1, 1] model space of images).")]
    public double Limit { get; set; } = 1.0;
}
