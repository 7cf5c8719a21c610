namespace Diffusion.Core.Sweeps;

/// <summary>A finished trial as a sampler sees it: its point and its objective value (larger is better only when maximizing).</summary>
/// <param name="Point">The trial's point.</param>
/// <param name="Value">Its objective value.</param>
public sealed record FinishedTrial(TrialPoint Point, double Value);
