using Diffusion.Tracking;

namespace Diffusion.Core.Sweeps;

/// <summary>What a <see cref="SweepSupervisor"/> decided when the sweep's workers were done.</summary>
/// <param name="Kind">How the sweep ended.</param>
/// <param name="Sweep">The sweep as stored at the end (its state, and the message of a stopped sweep).</param>
/// <param name="Trials">Every trial of the sweep, by number, as each ended (or stands, when the sweep did not finish).</param>
/// <param name="Summary">The trials in a line: <c>4 of 4 trials ended: 3 completed, 0 pruned, 1 failed</c>.</param>
/// <param name="Winner">The completed trial with the best objective value (the lowest-numbered one on a tie), or null unless <paramref name="Kind"/> is <see cref="SweepOutcomeKind.Completed"/>.</param>
/// <param name="WinnerPoint">The winner's parameter values, or null.</param>
/// <param name="ParentStatus">The status the parent run was closed with.</param>
/// <param name="ParentMessage">The message the parent run was closed with, or null when it completed.</param>
public sealed record SweepOutcome(
    SweepOutcomeKind Kind,
    SweepRecord Sweep,
    IReadOnlyList<TrialRecord> Trials,
    string Summary,
    TrialRecord? Winner,
    TrialPoint? WinnerPoint,
    RunStatus ParentStatus,
    string? ParentMessage);
