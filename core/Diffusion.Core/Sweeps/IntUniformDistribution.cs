namespace Diffusion.Core.Sweeps;

/// <summary>An integer drawn uniformly from Low to High, both included.</summary>
public sealed record IntUniformDistribution(long Low, long High) : SweepDistribution
{
    /// <inheritdoc />
    public override string Describe() => $"int_uniform({Low}, {High})";
}
