using Microsoft.Data.Sqlite;

namespace Diffusion.Tracking;

/// <summary>The reads behind <see cref="SqliteTrackingStore"/>'s listing and lookup.</summary>
internal static class RunQueries
{
    public const string SummaryColumns = """
        r.id, r.name, e.name, r.status, r.start_time, r.end_time, r.seed, r.message, r.parent_run_id
        """;

    public const string RunsWithExperiment = "runs r JOIN experiments e ON e.id = r.experiment_id";

    public static List<RunSummary> List(SqliteConnection connection, int limit, string? experiment) =>
        connection.Query(
            $"""
            SELECT {SummaryColumns} FROM {RunsWithExperiment}
            WHERE r.deleted = 0 AND (@experiment IS NULL OR e.name = @experiment)
            ORDER BY r.start_time DESC, r.rowid DESC
            LIMIT @limit;
            """,
            ReadSummary,
            ("@experiment", experiment), ("@limit", limit));

    /// <summary>Up to <paramref name="limit"/> runs (deleted ones or the others) whose id starts with <paramref name="prefix"/>.</summary>
    public static List<RunSummary> WithIdPrefix(SqliteConnection connection, string prefix, int limit, bool deleted = false) =>
        connection.Query(
            $"""
            SELECT {SummaryColumns} FROM {RunsWithExperiment}
            WHERE r.deleted = @deleted AND substr(r.id, 1, length(@prefix)) = @prefix
            ORDER BY r.id
            LIMIT @limit;
            """,
            ReadSummary,
            ("@prefix", prefix), ("@limit", limit), ("@deleted", deleted ? 1 : 0));

    public static bool Exists(SqliteConnection connection, string runId) =>
        connection.Scalar<long>("SELECT count(*) FROM runs WHERE id = @id AND deleted = 0;", ("@id", runId)) > 0;

    public static RunDetails? Details(SqliteConnection connection, string runId)
    {
        var run = connection.Query(
            $"""
            SELECT {SummaryColumns}, r.pipeline_path, r.pipeline_text, r.pipeline_hash, r.code_version, r.host, r.pid, r.heartbeat, r.artifact_root
            FROM {RunsWithExperiment} WHERE r.id = @id AND r.deleted = 0;
            """,
            r => (Summary: ReadSummary(r), Path: r.GetString(9), Text: r.GetString(10), Hash: r.GetString(11),
                CodeVersion: r.GetString(12), Host: r.GetString(13), Pid: r.GetInt32(14), Heartbeat: r.NullableInt64(15), Root: r.NullableString(16)),
            ("@id", runId)).SingleOrDefault();
        if (run.Summary is null)
        {
            return null;
        }

        return new RunDetails(
            run.Summary, run.Path, run.Text, run.Hash, run.CodeVersion, run.Host, run.Pid, UnixTime.FromNullable(run.Heartbeat),
            Params(connection, runId), Metrics(connection, runId), Tags(connection, runId), Artifacts(connection, runId), run.Root);
    }

    public static List<MetricPoint> MetricHistory(SqliteConnection connection, string runId, string key) =>
        connection.Query(
            "SELECT step, value, time FROM metrics WHERE run_id = @id AND key = @key ORDER BY step, rowid;",
            r => new MetricPoint(r.GetInt64(0), r.DoubleOrNaN(1), UnixTime.From(r.GetInt64(2))),
            ("@id", runId), ("@key", key));

    private static List<ParamValue> Params(SqliteConnection connection, string runId) =>
        connection.Query(
            "SELECT key, value_text, value_type FROM params WHERE run_id = @id ORDER BY key;",
            r => new ParamValue(r.GetString(0), ParamEncoding.Decode(r.GetString(1), r.GetString(2)), r.GetString(2)),
            ("@id", runId));

    /// <summary>Last is the value at the highest step; when a step was logged twice, the later one (kept so by the writer).</summary>
    private static List<MetricSummary> Metrics(SqliteConnection connection, string runId) =>
        connection.Query(
            "SELECT key, value, step, min_value, max_value, count FROM latest_metrics WHERE run_id = @id ORDER BY key;",
            ReadMetricSummary,
            ("@id", runId));

    /// <summary>The params, metric summaries and tags of many runs at once (the ids travel as one JSON array).</summary>
    public static List<RunValues> Values(SqliteConnection connection, IReadOnlyList<RunSummary> runs)
    {
        var ids = System.Text.Json.JsonSerializer.Serialize(runs.Select(r => r.Id));
        var parameters = connection.Query(
                "SELECT run_id, key, value_text, value_type FROM params WHERE run_id IN (SELECT value FROM json_each(@ids)) ORDER BY run_id, key;",
                r => (Run: r.GetString(0), Value: new ParamValue(r.GetString(1), ParamEncoding.Decode(r.GetString(2), r.GetString(3)), r.GetString(3))),
                ("@ids", ids))
            .ToLookup(p => p.Run, p => p.Value);
        var metrics = connection.Query(
                "SELECT key, value, step, min_value, max_value, count, run_id FROM latest_metrics WHERE run_id IN (SELECT value FROM json_each(@ids)) ORDER BY run_id, key;",
                r => (Run: r.GetString(6), Value: ReadMetricSummary(r)),
                ("@ids", ids))
            .ToLookup(m => m.Run, m => m.Value);
        var tags = connection.Query(
                "SELECT run_id, key, value FROM tags WHERE run_id IN (SELECT value FROM json_each(@ids)) ORDER BY run_id, key;",
                r => (Run: r.GetString(0), Value: new TagValue(r.GetString(1), r.GetString(2))),
                ("@ids", ids))
            .ToLookup(t => t.Run, t => t.Value);
        var roots = connection.Query(
                "SELECT id, artifact_root FROM runs WHERE id IN (SELECT value FROM json_each(@ids));",
                r => (Run: r.GetString(0), Root: r.NullableString(1)),
                ("@ids", ids))
            .ToDictionary(r => r.Run, r => r.Root);
        return runs.Select(run => new RunValues(run, parameters[run.Id].ToList(), metrics[run.Id].ToList(), tags[run.Id].ToList(), roots.GetValueOrDefault(run.Id))).ToList();
    }

    private static MetricSummary ReadMetricSummary(SqliteDataReader r) =>
        new(r.GetString(0), r.DoubleOrNaN(1), r.GetInt64(2), r.DoubleOrNaN(3), r.DoubleOrNaN(4), r.GetInt64(5));

    private static List<TagValue> Tags(SqliteConnection connection, string runId) =>
        connection.Query(
            "SELECT key, value FROM tags WHERE run_id = @id ORDER BY key;",
            r => new TagValue(r.GetString(0), r.GetString(1)),
            ("@id", runId));

    private static List<ArtifactRecord> Artifacts(SqliteConnection connection, string runId) =>
        connection.Query(
            "SELECT path, kind, sha256, bytes FROM artifacts WHERE run_id = @id ORDER BY path;",
            r => new ArtifactRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3)),
            ("@id", runId));

    public static RunSummary ReadSummary(SqliteDataReader r) => new(
        Id: r.GetString(0),
        Name: r.GetString(1),
        Experiment: r.GetString(2),
        Status: RunStatusText.Parse(r.GetString(3)),
        StartTime: UnixTime.From(r.GetInt64(4)),
        EndTime: UnixTime.FromNullable(r.NullableInt64(5)),
        Seed: r.GetInt64(6),
        Message: r.NullableString(7),
        ParentRunId: r.NullableString(8));
}
