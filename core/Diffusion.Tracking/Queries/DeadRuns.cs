namespace Diffusion.Tracking;

/// <summary>
/// RUNNING runs whose process is gone, as a read-only store reports them: KILLED, with the message a writing store
/// would record, though nothing is written.
/// </summary>
internal sealed class DeadRuns
{
    private readonly Dictionary<string, long> _lastSigns;

    public DeadRuns(IEnumerable<RunningRun> dead) => _lastSigns = dead.ToDictionary(r => r.Id, r => r.LastSignMs);

    /// <summary>No dead runs (a writing store has already recorded them).</summary>
    public static DeadRuns None { get; } = new([]);

    public RunSummary Report(RunSummary run) =>
        run.Status == RunStatus.Running && _lastSigns.TryGetValue(run.Id, out var last)
            ? run with { Status = RunStatus.Killed, EndTime = UnixTime.From(last), Message = RunLiveness.MessageFor(last) }
            : run;

    public RunSearchResult Report(RunSearchResult result) =>
        _lastSigns.Count == 0 ? result : result with { Rows = result.Rows.Select(row => row with { Run = Report(row.Run) }).ToList() };

    public IReadOnlyList<RunSummary> Report(IReadOnlyList<RunSummary> runs) => _lastSigns.Count == 0 ? runs : runs.Select(Report).ToList();

    public IReadOnlyList<RunValues> Report(IReadOnlyList<RunValues> runs) =>
        _lastSigns.Count == 0 ? runs : runs.Select(v => v with { Run = Report(v.Run) }).ToList();

    public RunDetails? Report(RunDetails? details) => details is null ? null : details with { Run = Report(details.Run) };
}
