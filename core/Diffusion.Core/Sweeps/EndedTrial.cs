using Diffusion.Tracking;

namespace Diffusion.Core.Sweeps;

/// <summary>A trial that a <see cref="SweepSupervisor"/> saw end (COMPLETED, FAILED or PRUNED).</summary>
/// <param name="Trial">The trial as stored when it ended.</param>
/// <param name="IsBestSoFar">Whether it completed with an objective value better than every earlier one of the sweep (a tie is not better).</param>
public sealed record EndedTrial(TrialRecord Trial, bool IsBestSoFar);
