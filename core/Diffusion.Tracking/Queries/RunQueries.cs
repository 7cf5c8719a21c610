using Microsoft.Data.Sqlite;

namespace Diffusion.Tracking;

/// <summary>The reads behind <see cref="TrackingStore"/>'s listing and lookup.</summary>
internal static class RunQueries
{
    private const string SummaryColumns = """
        r.id, r.name, e.name, r.status, r.start_time, r.end_time, r.seed, r.message, r.parent_run_id
        """;

    private const string RunsWithExperiment = "runs r JOIN experiments e ON e.id = r.experiment_id";

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

    /// <summary>Up to <paramref name="limit"/> runs (not deleted) whose id starts with <paramref name="prefix"/>.</summary>
    public static List<RunSummary> WithIdPrefix(SqliteConnection connection, string prefix, int limit) =>
        connection.Query(
            $"""
            SELECT {SummaryColumns} FROM {RunsWithExperiment}
            WHERE r.deleted = 0 AND substr(r.id, 1, length(@prefix)) = @prefix
            ORDER BY r.id
            LIMIT @limit;
            """,
            ReadSummary,
            ("@prefix", prefix), ("@limit", limit));

    public static bool Exists(SqliteConnection connection, string runId) =>
        connection.Scalar<long>("SELECT count(*) FROM runs WHERE id = @id AND deleted = 0;", ("@id", runId)) > 0;

    public static RunDetails? Details(SqliteConnection connection, string runId)
    {
        var run = connection.Query(
            $"""
            SELECT {SummaryColumns}, r.pipeline_path, r.pipeline_text, r.pipeline_hash, r.code_version, r.host, r.pid, r.heartbeat
            FROM {RunsWithExperiment} WHERE r.id = @id AND r.deleted = 0;
            """,
            r => (Summary: ReadSummary(r), Path: r.GetString(9), Text: r.GetString(10), Hash: r.GetString(11),
                CodeVersion: r.GetString(12), Host: r.GetString(13), Pid: r.GetInt32(14), Heartbeat: r.NullableInt64(15)),
            ("@id", runId)).SingleOrDefault();
        if (run.Summary is null)
        {
            return null;
        }

        return new RunDetails(
            run.Summary, run.Path, run.Text, run.Hash, run.CodeVersion, run.Host, run.Pid, UnixTime.FromNullable(run.Heartbeat),
            Params(connection, runId), Metrics(connection, runId), Tags(connection, runId), Artifacts(connection, runId));
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

    /// <summary>Last is the value at the highest step; when a step was logged twice, the later one.</summary>
    private static List<MetricSummary> Metrics(SqliteConnection connection, string runId) =>
        connection.Query(
            """
            SELECT m.key, count(*), min(m.value), max(m.value), max(m.step),
                   (SELECT l.value FROM metrics l WHERE l.run_id = @id AND l.key = m.key ORDER BY l.step DESC, l.rowid DESC LIMIT 1)
            FROM metrics m WHERE m.run_id = @id
            GROUP BY m.key ORDER BY m.key;
            """,
            r => new MetricSummary(r.GetString(0), r.DoubleOrNaN(5), r.GetInt64(4), r.DoubleOrNaN(2), r.DoubleOrNaN(3), r.GetInt64(1)),
            ("@id", runId));

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

    private static RunSummary ReadSummary(SqliteDataReader r) => new(
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
