using Npgsql;

namespace Diffusion.Tracking;

/// <summary>The reads behind <see cref="PostgresTrackingStore"/>'s listing and lookup (the same as SQLite's <see cref="RunQueries"/>).</summary>
internal static class PostgresRunQueries
{
    public static List<RunSummary> List(NpgsqlConnection connection, int limit, string? experiment) =>
        connection.Query(
            $"""
            SELECT {RunQueries.SummaryColumns} FROM {RunQueries.RunsWithExperiment}
            WHERE r.deleted = 0 {(experiment is null ? "" : "AND e.name = @experiment")}
            ORDER BY r.start_time DESC, r.seq DESC
            LIMIT @limit;
            """,
            ReadSummary,
            ("experiment", experiment), ("limit", limit));

    /// <summary>Up to <paramref name="limit"/> runs (deleted ones or the others) whose id starts with <paramref name="prefix"/>.</summary>
    public static List<RunSummary> WithIdPrefix(NpgsqlConnection connection, string prefix, int limit, bool deleted = false) =>
        connection.Query(
            $"""
            SELECT {RunQueries.SummaryColumns} FROM {RunQueries.RunsWithExperiment}
            WHERE r.deleted = @deleted AND left(r.id, length(@prefix)) = @prefix
            ORDER BY r.id
            LIMIT @limit;
            """,
            ReadSummary,
            ("prefix", prefix), ("limit", limit), ("deleted", deleted ? 1 : 0));

    public static bool Exists(NpgsqlConnection connection, string runId) =>
        connection.Scalar<long>("SELECT count(*) FROM runs WHERE id = @id AND deleted = 0;", ("id", runId)) > 0;

    public static RunDetails? Details(NpgsqlConnection connection, string runId)
    {
        var run = connection.Query(
            $"""
            SELECT {RunQueries.SummaryColumns}, r.pipeline_path, r.pipeline_text, r.pipeline_hash, r.code_version, r.host, r.pid, r.heartbeat, r.artifact_root
            FROM {RunQueries.RunsWithExperiment} WHERE r.id = @id AND r.deleted = 0;
            """,
            r => (Summary: ReadSummary(r), Path: r.GetString(9), Text: r.GetString(10), Hash: r.GetString(11),
                CodeVersion: r.GetString(12), Host: r.GetString(13), Pid: r.GetInt32(14), Heartbeat: r.NullableInt64(15), Root: r.NullableString(16)),
            ("id", runId)).SingleOrDefault();
        if (run.Summary is null)
        {
            return null;
        }

        return new RunDetails(
            run.Summary, run.Path, run.Text, run.Hash, run.CodeVersion, run.Host, run.Pid, UnixTime.FromNullable(run.Heartbeat),
            Params(connection, [runId])[runId].ToList(), Metrics(connection, [runId])[runId].ToList(), Tags(connection, [runId])[runId].ToList(),
            Artifacts(connection, runId), run.Root);
    }

    public static List<MetricPoint> MetricHistory(NpgsqlConnection connection, string runId, string key) =>
        connection.Query(
            "SELECT step, value, time FROM metrics WHERE run_id = @id AND key = @key ORDER BY step, seq;",
            r => new MetricPoint(r.GetInt64(0), r.DoubleOrNaN(1), UnixTime.From(r.GetInt64(2))),
            ("id", runId), ("key", key));

    /// <summary>The params, metric summaries and tags of many runs at once.</summary>
    public static List<RunValues> Values(NpgsqlConnection connection, IReadOnlyList<RunSummary> runs)
    {
        var ids = runs.Select(r => r.Id).ToArray();
        var parameters = Params(connection, ids);
        var metrics = Metrics(connection, ids);
        var tags = Tags(connection, ids);
        var roots = connection.Query(
                "SELECT id, artifact_root FROM runs WHERE id = ANY(@ids);",
                r => (Run: r.GetString(0), Root: r.NullableString(1)),
                ("ids", ids))
            .ToDictionary(r => r.Run, r => r.Root);
        return runs.Select(run => new RunValues(run, parameters[run.Id].ToList(), metrics[run.Id].ToList(), tags[run.Id].ToList(), roots.GetValueOrDefault(run.Id))).ToList();
    }

    private static ILookup<string, ParamValue> Params(NpgsqlConnection connection, string[] ids) =>
        connection.Query(
                "SELECT run_id, key, value_text, value_type FROM params WHERE run_id = ANY(@ids) ORDER BY run_id, key;",
                r => (Run: r.GetString(0), Value: new ParamValue(r.GetString(1), ParamEncoding.Decode(r.GetString(2), r.GetString(3)), r.GetString(3))),
                ("ids", ids))
            .ToLookup(p => p.Run, p => p.Value);

    /// <summary>Last is the value at the highest step; when a step was logged twice, the later one (kept so by the writer).</summary>
    private static ILookup<string, MetricSummary> Metrics(NpgsqlConnection connection, string[] ids) =>
        connection.Query(
                "SELECT key, value, step, min_value, max_value, count, run_id FROM latest_metrics WHERE run_id = ANY(@ids) ORDER BY run_id, key;",
                r => (Run: r.GetString(6), Value: new MetricSummary(r.GetString(0), r.DoubleOrNaN(1), r.GetInt64(2), r.DoubleOrNaN(3), r.DoubleOrNaN(4), r.GetInt64(5))),
                ("ids", ids))
            .ToLookup(m => m.Run, m => m.Value);

    private static ILookup<string, TagValue> Tags(NpgsqlConnection connection, string[] ids) =>
        connection.Query(
                "SELECT run_id, key, value FROM tags WHERE run_id = ANY(@ids) ORDER BY run_id, key;",
                r => (Run: r.GetString(0), Value: new TagValue(r.GetString(1), r.GetString(2))),
                ("ids", ids))
            .ToLookup(t => t.Run, t => t.Value);

    private static List<ArtifactRecord> Artifacts(NpgsqlConnection connection, string runId) =>
        connection.Query(
            "SELECT path, kind, sha256, bytes FROM artifacts WHERE run_id = @id ORDER BY path;",
            r => new ArtifactRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3)),
            ("id", runId));

    public static RunSummary ReadSummary(NpgsqlDataReader r) => new(
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
