using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Diffusion.Abstractions.Samplers;

namespace Example.Analytic;

/// <summary>
/// Options of <see cref="GaussianExactDenoiser"/>: the data distribution N(mean, std²) per coordinate, and (from
/// <see cref="SamplerOptions"/>) the noise schedule the model answers for, which must be the one of the sampler it is
/// sampled with: write <c>timesteps: "${components.noise.timesteps}"</c> and so on in the pipeline.
/// </summary>
public sealed class GaussianExactOptions : SamplerOptions
{
    /// <summary>Mean of every coordinate of the data.</summary>
    [Range(-100.0, 100.0), Description("Mean of every coordinate of the data.")]
    public double Mean { get; set; }

    /// <summary>Standard deviation of every coordinate of the data; 0 is a point mass at the mean.</summary>
    [Range(0.0, 100.0), Description("Standard deviation of every coordinate of the data; 0 is a point mass at the mean.")]
    public double Std { get; set; } = 1.0;
}
