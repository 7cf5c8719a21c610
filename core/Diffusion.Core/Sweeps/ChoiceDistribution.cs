namespace Diffusion.Core.Sweeps;

/// <summary>One of a list of values, each written as the <c>--set</c> value text it is applied with.</summary>
public sealed record ChoiceDistribution(IReadOnlyList<string> Values) : SweepDistribution
{
    /// <inheritdoc />
    public override string Describe() => $"choice({string.Join(", ", Values)})";
}
