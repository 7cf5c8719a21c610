namespace Example.SampleStats;

/// <summary>What <see cref="SampleStatsStage"/> found, written as JSON and kept in the run state for later stages.</summary>
/// <param name="Count">Samples summarised.</param>
/// <param name="Shape">Their shape [N, ...].</param>
/// <param name="Mean">Mean of each channel (axis 1 of [N, C, ...] samples; one value for [N, D] samples).</param>
/// <param name="Std">Standard deviation of each channel (population).</param>
/// <param name="Limit">The range bound the fraction below counts against.</param>
/// <param name="OutsideFraction">Fraction of all values outside [-limit, limit].</param>
public sealed record SampleStatistics(long Count, long[] Shape, double[] Mean, double[] Std, double Limit, double OutsideFraction);
