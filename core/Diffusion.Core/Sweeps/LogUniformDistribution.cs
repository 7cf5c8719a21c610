namespace Diffusion.Core.Sweeps;

/// <summary>A positive real number whose logarithm is uniform over [log Low, log High]: each decade is as likely.</summary>
public sealed record LogUniformDistribution(double Low, double High) : SweepDistribution
{
    /// <inheritdoc />
    public override string Describe() => $"log_uniform({Number(Low)}, {Number(High)})";
}
