namespace Diffusion.Tracking;

/// <summary>Where a sweep stands.</summary>
public enum SweepState
{
    /// <summary>Trials are being run (or the sweep was interrupted and can be resumed).</summary>
    Running,

    /// <summary>Every trial of the budget ended.</summary>
    Completed,

    /// <summary>Stopped early (<c>--fail-fast</c> after a failed trial); resuming takes it up again.</summary>
    Stopped,
}

/// <summary>Where a trial stands.</summary>
public enum TrialState
{
    /// <summary>Waiting for a worker (also a trial whose worker died, or whose run was interrupted).</summary>
    Pending,

    /// <summary>Claimed by a worker that heartbeats it.</summary>
    Running,

    /// <summary>Ran to the end; its objective value is known.</summary>
    Completed,

    /// <summary>Its run failed (or its objective metric was missing).</summary>
    Failed,

    /// <summary>Stopped early by the pruner.</summary>
    Pruned,
}

/// <summary>What a sweep is: its parent run, the pipeline and settings every trial starts from.</summary>
/// <param name="Id">The sweep's id: the id of its parent run.</param>
/// <param name="PipelinePath">The pipeline file.</param>
/// <param name="PipelineText">The file's text when the sweep started (trials load this text, not the file).</param>
/// <param name="Overrides">The <c>--set</c> overrides given to the sweep, applied before each trial's own.</param>
/// <param name="Method">grid, random or tpe.</param>
/// <param name="Objective">The metric whose last value scores a trial.</param>
/// <param name="Maximize">True when larger objective values are better.</param>
/// <param name="Budget">How many trials the sweep runs in all.</param>
/// <param name="FailFast">Whether the first failed trial stops the sweep.</param>
/// <param name="StaleAfter">A claim whose heartbeat is older than this is given back to the queue.</param>
public sealed record SweepDefinition(
    string Id,
    string PipelinePath,
    string PipelineText,
    IReadOnlyList<string> Overrides,
    string Method,
    string Objective,
    bool Maximize,
    int Budget,
    bool FailFast,
    TimeSpan StaleAfter);

/// <summary>A sweep as stored: its definition and state.</summary>
/// <param name="Definition">What the sweep is.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Message">Why it stopped, or null.</param>
public sealed record SweepRecord(SweepDefinition Definition, SweepState State, string? Message);

/// <summary>One trial of a sweep.</summary>
/// <param name="Number">The trial's number (0, 1, ...), its order in the sweep.</param>
/// <param name="Point">The trial's parameter values, as the sampler wrote them (JSON).</param>
/// <param name="State">Where it stands.</param>
/// <param name="Worker">The worker holding or last holding it (<c>host:pid:tag</c>), or null.</param>
/// <param name="Heartbeat">The holder's last sign of life.</param>
/// <param name="Attempts">How many times it was claimed.</param>
/// <param name="RunId">The run of its latest attempt, or null before one started.</param>
/// <param name="Value">Its objective value once completed.</param>
/// <param name="Message">Why it failed or was pruned or re-queued.</param>
public sealed record TrialRecord(
    int Number,
    string Point,
    TrialState State,
    string? Worker,
    DateTimeOffset? Heartbeat,
    int Attempts,
    string? RunId,
    double? Value,
    string? Message);

/// <summary>What a worker got when it asked for work.</summary>
/// <param name="Trial">The trial it now holds, or null.</param>
/// <param name="Outcome">Why there was no trial, when there was none.</param>
public sealed record TrialClaim(TrialRecord? Trial, ClaimOutcome Outcome);

/// <summary>Why a claim gave what it gave.</summary>
public enum ClaimOutcome
{
    /// <summary>A trial was claimed.</summary>
    Claimed,

    /// <summary>Nothing to claim now, but trials are still running and one may come back: ask again later.</summary>
    Wait,

    /// <summary>Every trial of the budget ended: the worker can stop.</summary>
    Finished,

    /// <summary>The sweep was stopped: the worker should stop.</summary>
    Stopped,
}

/// <summary>What a heartbeat found.</summary>
public enum HeartbeatOutcome
{
    /// <summary>The worker still holds the trial.</summary>
    Held,

    /// <summary>The trial was taken back (the worker was silent too long): stop running it.</summary>
    Lost,

    /// <summary>The sweep was stopped: stop running the trial.</summary>
    SweepStopped,
}
