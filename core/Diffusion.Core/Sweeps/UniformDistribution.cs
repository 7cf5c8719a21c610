namespace Diffusion.Core.Sweeps;

/// <summary>A real number drawn uniformly from [Low, High].</summary>
public sealed record UniformDistribution(double Low, double High) : SweepDistribution
{
    /// <inheritdoc />
    public override string Describe() => $"uniform({Number(Low)}, {Number(High)})";
}
