namespace Diffusion.Tracking;

/// <summary>
/// The sweeps of a tracking store: a sweep and its trials, claimed by worker processes. Two workers never claim
/// the same trial, and a claim whose heartbeat grows older than the sweep's <see cref="SweepDefinition.StaleAfter"/>
/// goes back to the queue. Safe to use from several threads. Open one through <see cref="TrackingStores"/>.
/// </summary>
public interface ISweepStore : IDisposable
{
    /// <summary>Records a new sweep in state RUNNING with the trials it knows up front (grid and random sweeps), as PENDING.</summary>
    /// <exception cref="RunNotFoundException">The parent run does not exist.</exception>
    void Create(SweepDefinition sweep, IEnumerable<string> points);

    /// <summary>The sweep whose id (its parent run's id) is <paramref name="sweepId"/>, or null.</summary>
    SweepRecord? Find(string sweepId);

    /// <summary>Every sweep, the newest first.</summary>
    IReadOnlyList<SweepRecord> List();

    /// <summary>The sweep's trials, by number.</summary>
    IReadOnlyList<TrialRecord> Trials(string sweepId);

    /// <summary>
    /// Gives a worker a trial: first every claim whose heartbeat went stale goes back to the queue, then the
    /// lowest-numbered PENDING trial is claimed; when none is pending and the budget is not used up, a new
    /// trial is made from <paramref name="propose"/> (given the trials so far and the new trial's number) and
    /// claimed. All of it happens at once for every other worker.
    /// </summary>
    /// <param name="sweepId">The sweep.</param>
    /// <param name="worker">Who claims (<c>host:pid:tag</c>).</param>
    /// <param name="propose">Makes a new trial's point, or null to make none (e.g. a grid sweep has them all).</param>
    TrialClaim Claim(string sweepId, string worker, Func<IReadOnlyList<TrialRecord>, int, string>? propose);

    /// <summary>Stamps the worker's claim; says whether the worker still holds the trial and the sweep still runs.</summary>
    HeartbeatOutcome Heartbeat(string sweepId, int number, string worker);

    /// <summary>Notes the run of the worker's current attempt; false when the worker no longer holds the trial.</summary>
    bool AttachRun(string sweepId, int number, string worker, string runId);

    /// <summary>
    /// Ends the worker's trial as COMPLETED (with its objective value), FAILED or PRUNED, or gives it back as
    /// PENDING (its run was interrupted). A FAILED trial of a fail-fast sweep stops the sweep at the same time.
    /// Returns false, changing nothing, when the worker no longer held the trial.
    /// </summary>
    bool Finish(string sweepId, int number, string worker, TrialState state, double? value, string? message);

    /// <summary>Sets the sweep's state (Completed at the end, Running again to resume it) and its message.</summary>
    void SetState(string sweepId, SweepState state, string? message = null);
}
