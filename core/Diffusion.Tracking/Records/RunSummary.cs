namespace Diffusion.Tracking;

/// <summary>One line of a run listing.</summary>
/// <param name="Id">The run id (10 lowercase hex characters).</param>
/// <param name="Name">The run's name.</param>
/// <param name="Experiment">The experiment's name.</param>
/// <param name="Status">Where the run stands.</param>
/// <param name="StartTime">When the run started (UTC).</param>
/// <param name="EndTime">When the run ended (UTC), or null while it runs.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Message">Why the run failed or was killed, or null.</param>
/// <param name="ParentRunId">The parent run (a sweep), or null.</param>
public sealed record RunSummary(
    string Id,
    string Name,
    string Experiment,
    RunStatus Status,
    DateTimeOffset StartTime,
    DateTimeOffset? EndTime,
    long Seed,
    string? Message,
    string? ParentRunId);
