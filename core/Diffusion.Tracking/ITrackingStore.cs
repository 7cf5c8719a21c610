namespace Diffusion.Tracking;

/// <summary>
/// A run-tracking store: records runs and answers queries about them. Several processes may use one store at
/// once, and a store is safe to use from several threads; each <see cref="IRunRecorder"/> it starts keeps working
/// after the store is disposed. Open one through <see cref="TrackingStores"/>.
/// </summary>
public interface ITrackingStore : IDisposable
{
    /// <summary>Where the store lives, as messages should name it (for SQLite, the absolute path of the database file).</summary>
    string Location { get; }

    /// <summary>Records a new RUNNING run (with a new id) owned by this process, and returns its recorder.</summary>
    /// <exception cref="RunNotFoundException">The parent run does not exist.</exception>
    IRunRecorder StartRun(NewRun run);

    /// <summary>
    /// Takes up an existing run again in this process (e.g. to continue training from a checkpoint): its status
    /// goes back to RUNNING, its end time and message are cleared, and it gets this process's pid and a fresh heartbeat.
    /// </summary>
    /// <exception cref="RunNotFoundException">No run has this id.</exception>
    /// <exception cref="InvalidOperationException">The run is still being recorded by a live process.</exception>
    IRunRecorder ResumeRun(string runId);

    /// <summary>
    /// The newest runs first (not deleted), optionally of one experiment. RUNNING runs whose process is gone are
    /// recorded as KILLED first.
    /// </summary>
    IReadOnlyList<RunSummary> ListRuns(int limit = 100, string? experiment = null);

    /// <summary>
    /// The runs that match <paramref name="search"/>'s filter, in its order, with the values of its columns.
    /// RUNNING runs whose process is gone are recorded as KILLED first.
    /// </summary>
    /// <exception cref="FilterSyntaxException">The filter, order-by or columns cannot be read.</exception>
    RunSearchResult SearchRuns(RunSearch search);

    /// <summary>The runs that match <paramref name="search"/>, each with all its params, metric summaries and tags.</summary>
    /// <exception cref="FilterSyntaxException">The filter, order-by or columns cannot be read.</exception>
    IReadOnlyList<RunValues> ExportRuns(RunSearch search);

    /// <summary>
    /// The run whose id is <paramref name="idOrUniquePrefix"/> or starts with it, or null if none does.
    /// A RUNNING run whose process is gone is recorded as KILLED first.
    /// </summary>
    /// <exception cref="AmbiguousRunIdException">The prefix matches several runs; the message lists them.</exception>
    RunDetails? FindRun(string idOrUniquePrefix);

    /// <summary>Every value of metric <paramref name="key"/> of a run, by step (in logging order within a step).</summary>
    IReadOnlyList<MetricPoint> MetricHistory(string runId, string key);

    /// <summary>Hides a run from listings and lookups; its records are kept.</summary>
    /// <exception cref="RunNotFoundException">No (undeleted) run has this id.</exception>
    void DeleteRun(string runId);

    /// <summary>
    /// Brings back a deleted run whose id is <paramref name="idOrUniquePrefix"/> or starts with it; returns its id.
    /// </summary>
    /// <exception cref="RunNotFoundException">No deleted run has this id.</exception>
    /// <exception cref="AmbiguousRunIdException">The prefix matches several deleted runs.</exception>
    string RestoreRun(string idOrUniquePrefix);

    /// <summary>Sets tags of a run (a key set again gets the new value), e.g. to mark a run after it ended.</summary>
    /// <exception cref="RunNotFoundException">No (undeleted) run has this id.</exception>
    void SetTags(string runId, IEnumerable<KeyValuePair<string, string>> tags);

    /// <summary>Removes tags of a run; returns how many existed.</summary>
    /// <exception cref="RunNotFoundException">No (undeleted) run has this id.</exception>
    int RemoveTags(string runId, IEnumerable<string> keys);

    /// <summary>Replaces the message of a run that has ended (e.g. a sweep trial stopped by its pruner says so).</summary>
    /// <exception cref="RunNotFoundException">No (undeleted) run that has ended has this id.</exception>
    void SetRunMessage(string runId, string message);
}
