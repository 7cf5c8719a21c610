namespace Diffusion.Tracking;

/// <summary>One logged value of a metric.</summary>
/// <param name="Step">The step it was logged at.</param>
/// <param name="Value">The value (NaN is kept as NaN).</param>
/// <param name="Time">When it was logged (UTC).</param>
public sealed record MetricPoint(long Step, double Value, DateTimeOffset Time);
