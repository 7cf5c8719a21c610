using Microsoft.Data.Sqlite;

namespace Diffusion.Tracking;

/// <summary>
/// The background writer's statements, prepared once per run and reused for every batch. Metric values are
/// also summed up per key over a batch and merged into <c>latest_metrics</c> once per key at its end.
/// </summary>
internal sealed class WriterStatements : IRunWriteTarget, IDisposable
{
    private readonly Dictionary<string, LatestMetric> _latestInBatch = new(StringComparer.Ordinal);
    private readonly List<PendingMetric> _pendingMetrics = new(MetricInserter.Block);
    private readonly HashSet<string> _recompute = new(StringComparer.Ordinal);
    private readonly MetricInserter _metrics;
    private readonly SqliteCommand _latest;
    private readonly SqliteCommand _discard;
    private readonly SqliteCommand _recomputeLatest;
    private readonly SqliteCommand _param;
    private readonly SqliteCommand _tag;
    private readonly SqliteCommand _artifact;
    private readonly SqliteCommand _status;
    private readonly SqliteCommand _heartbeat;

    public WriterStatements(SqliteConnection connection, string runId)
    {
        _metrics = new MetricInserter(connection, runId);
        // The stored row is older than the batch: at an equal step the batch's value is the later one.
        // SQLite's two-argument min/max give NULL when either side is NULL (a NaN), hence the coalesce pairs.
        _latest = Prepare(connection, runId,
            """
            INSERT INTO latest_metrics (run_id, key, step, value, min_value, max_value, count, time)
            VALUES (@run, @key, @step, @value, @min, @max, @count, @time)
            ON CONFLICT (run_id, key) DO UPDATE SET
                value = CASE WHEN excluded.step >= latest_metrics.step THEN excluded.value ELSE latest_metrics.value END,
                time = CASE WHEN excluded.step >= latest_metrics.step THEN excluded.time ELSE latest_metrics.time END,
                step = max(excluded.step, latest_metrics.step),
                min_value = min(coalesce(excluded.min_value, latest_metrics.min_value), coalesce(latest_metrics.min_value, excluded.min_value)),
                max_value = max(coalesce(excluded.max_value, latest_metrics.max_value), coalesce(latest_metrics.max_value, excluded.max_value)),
                count = latest_metrics.count + excluded.count;
            """,
            "@key", "@step", "@value", "@min", "@max", "@count", "@time");
        _discard = Prepare(connection, runId, "DELETE FROM metrics WHERE run_id = @run AND key = @key AND step = @step;", "@key", "@step");
        // The whole history of one key, summed up again after rows were discarded (only in resumed runs).
        _recomputeLatest = Prepare(connection, runId,
            """
            DELETE FROM latest_metrics WHERE run_id = @run AND key = @key;
            INSERT INTO latest_metrics (run_id, key, step, value, min_value, max_value, count, time)
            SELECT @run, @key, last.step, last.value, summary.low, summary.high, summary.n, last.time
            FROM (SELECT min(value) AS low, max(value) AS high, count(*) AS n FROM metrics WHERE run_id = @run AND key = @key) AS summary,
                 (SELECT step, value, time FROM metrics WHERE run_id = @run AND key = @key ORDER BY step DESC, rowid DESC LIMIT 1) AS last;
            """,
            "@key");
        _param = Prepare(connection, runId,
            """
            INSERT INTO params (run_id, key, value_text, value_num, value_type) VALUES (@run, @key, @text, @num, @type)
            ON CONFLICT (run_id, key) DO UPDATE SET value_text = excluded.value_text, value_num = excluded.value_num, value_type = excluded.value_type;
            """,
            "@key", "@text", "@num", "@type");
        _tag = Prepare(connection, runId,
            "INSERT INTO tags (run_id, key, value) VALUES (@run, @key, @value) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value;",
            "@key", "@value");
        _artifact = Prepare(connection, runId,
            """
            INSERT INTO artifacts (run_id, path, kind, sha256, bytes, created) VALUES (@run, @path, @kind, @sha, @bytes, @time)
            ON CONFLICT (run_id, path) DO UPDATE SET kind = excluded.kind, sha256 = excluded.sha256, bytes = excluded.bytes, created = excluded.created;
            """,
            "@path", "@kind", "@sha", "@bytes", "@time");
        _status = Prepare(connection, runId,
            "UPDATE runs SET status = @status, end_time = @time, message = @message, heartbeat = @time WHERE id = @run;",
            "@status", "@message", "@time");
        // A run another process took for dead (this one was suspended, or the disk was busy too long) comes back.
        _heartbeat = Prepare(connection, runId,
            $"""
            UPDATE runs SET heartbeat = @time WHERE id = @run;
            UPDATE runs SET status = '{RunStatusText.Running}', end_time = NULL, message = NULL
            WHERE id = @run AND status = '{RunStatusText.Killed}' AND message LIKE '{RunLiveness.MessagePrefix}%';
            """,
            "@time");
    }

    /// <summary>Forgets what an earlier, rolled-back attempt of a batch summed up or held back.</summary>
    public void BeginBatch()
    {
        _latestInBatch.Clear();
        _pendingMetrics.Clear();
        _recompute.Clear();
    }

    /// <summary>Writes the rows queued so far (they precede the discard), then deletes the step's rows.</summary>
    public void DiscardMetricStep(string key, long step)
    {
        InsertPendingMetrics();
        Run(_discard, key, step);
        _recompute.Add(key);
    }

    /// <summary>Queues a metric row; rows are inserted in logging order, a block at a time, and all of them by <see cref="EndBatch"/>.</summary>
    public void InsertMetric(string key, double value, long step, long timeMs)
    {
        _pendingMetrics.Add(new PendingMetric(key, step, value, timeMs));
        if (_pendingMetrics.Count == MetricInserter.Block)
        {
            InsertPendingMetrics();
        }

        if (_latestInBatch.TryGetValue(key, out var latest))
        {
            latest.Add(value, step, timeMs);
        }
        else
        {
            _latestInBatch[key] = new LatestMetric(value, step, timeMs);
        }
    }

    /// <summary>Merges the batch's metric values into <c>latest_metrics</c>, one statement per key.</summary>
    public void EndBatch()
    {
        InsertPendingMetrics();
        foreach (var (key, latest) in _latestInBatch)
        {
            Run(_latest, key, latest.Step, NullIfNaN(latest.Value), NullIfNaN(latest.Min), NullIfNaN(latest.Max), latest.Count, latest.TimeMs);
        }

        foreach (var key in _recompute)
        {
            Run(_recomputeLatest, key);
        }

        _latestInBatch.Clear();
        _recompute.Clear();
    }

    private void InsertPendingMetrics()
    {
        _metrics.Insert(_pendingMetrics);
        _pendingMetrics.Clear();
    }

    public void UpsertParam(string key, EncodedParam value) =>
        Run(_param, key, value.Text, value.Number, value.Type);

    public void UpsertTag(string key, string value) => Run(_tag, key, value);

    public void UpsertArtifact(ArtifactRecord artifact, long timeMs) =>
        Run(_artifact, artifact.Path, artifact.Kind, artifact.Sha256, artifact.Bytes, timeMs);

    public void SetStatus(RunStatus status, string? message, long timeMs) =>
        Run(_status, RunStatusText.Of(status), message, timeMs);

    public void Heartbeat(long timeMs) => Run(_heartbeat, timeMs);

    public void Dispose()
    {
        _metrics.Dispose();
        foreach (var command in new[] { _latest, _discard, _recomputeLatest, _param, _tag, _artifact, _status, _heartbeat })
        {
            command.Dispose();
        }
    }

    private static object? NullIfNaN(double value) => double.IsNaN(value) ? null : value;

    private static SqliteCommand Prepare(SqliteConnection connection, string runId, string sql, params string[] names)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("@run", runId);
        foreach (var name in names)
        {
            command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
        }

        return command;
    }

    /// <summary>Binds <paramref name="values"/> to the parameters after <c>@run</c>, in order, and executes.</summary>
    private static void Run(SqliteCommand command, params ReadOnlySpan<object?> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i + 1].Value = values[i] ?? DBNull.Value;
        }

        command.ExecuteNonQuery();
    }
}
