namespace Diffusion.Tracking;

/// <summary>What one metric key of a run amounts to. NaN values count but are left out of min and max.</summary>
/// <param name="Key">The metric's key.</param>
/// <param name="Last">The value at the highest step (the latest logged if a step repeats).</param>
/// <param name="LastStep">The highest step.</param>
/// <param name="Min">The smallest value.</param>
/// <param name="Max">The largest value.</param>
/// <param name="Count">How many values were logged.</param>
public sealed record MetricSummary(string Key, double Last, long LastStep, double Min, double Max, long Count);
