using Npgsql;
using NpgsqlTypes;

namespace Diffusion.Tracking;

/// <summary>
/// Writes a run's batches to PostgreSQL on its own connection, one transaction per batch: metric rows through a
/// binary COPY (the bulk of what a run writes), then one <c>latest_metrics</c> upsert per key of the batch, params,
/// tags, artifacts, status and heartbeat as statements.
/// </summary>
internal sealed class PostgresBatchSink : IBatchSink, IRunWriteTarget
{
    private readonly Dictionary<string, LatestMetric> _latestInBatch = new(StringComparer.Ordinal);
    private readonly List<PendingMetric> _metrics = [];
    private readonly List<Action> _statements = [];
    private readonly List<(string Key, long Step)> _discards = [];
    private readonly NpgsqlDataSource _source;
    private readonly string _runId;
    private readonly MetricCopy _copy;
    private readonly long _lockTimeoutMs;
    private NpgsqlConnection? _connection;

    /// <summary>Takes ownership of <paramref name="connection"/>; a lock held longer than <paramref name="lockTimeout"/> fails the batch (and it is tried again).</summary>
    public PostgresBatchSink(NpgsqlDataSource source, NpgsqlConnection connection, string runId, TimeSpan lockTimeout)
    {
        _source = source;
        _runId = runId;
        _copy = new MetricCopy(runId);
        _lockTimeoutMs = Math.Max(1, (long)lockTimeout.TotalMilliseconds);
        _connection = Prepared(connection);
    }

    public void Write(IReadOnlyList<PendingWrite> batch, long? heartbeatMs)
    {
        _latestInBatch.Clear();
        _metrics.Clear();
        _statements.Clear();
        _discards.Clear();
        foreach (var write in batch)
        {
            write.Apply(this);
        }

        // A dropped connection (server restart) is replaced on the retry.
        var connection = _connection ??= Prepared(_source.OpenConnection());
        try
        {
            using var transaction = connection.BeginTransaction();
            if (heartbeatMs is { } now)
            {
                Heartbeat(connection, now);
            }

            // A discarded step's rows are older than this batch (the recorder discards a step the first time it is
            // done again), so deleting them all before the copy keeps every row this batch writes.
            if (_discards.Count > 0)
            {
                DiscardSteps(connection);
            }

            if (_metrics.Count > 0)
            {
                CopyMetrics(connection);
                UpsertLatest(connection);
            }

            if (_discards.Count > 0)
            {
                RecomputeLatest(connection);
            }

            // Params, tags, artifacts and the status, in logging order (a status comes last, as it was queued last).
            foreach (var statement in _statements)
            {
                statement();
            }

            transaction.Commit();
        }
        catch (NpgsqlException e) when (e is not PostgresException)
        {
            connection.Dispose();
            _connection = null;
            throw;
        }
    }

    public bool IsTransient(Exception error) => PostgresErrors.IsTransient(error);

    /// <summary>As SQLite's busy timeout: waiting for another session's lock ends with an error after the timeout.</summary>
    private NpgsqlConnection Prepared(NpgsqlConnection connection)
    {
        connection.Execute($"SET lock_timeout = {_lockTimeoutMs};");
        return connection;
    }

    public void Dispose() => _connection?.Dispose();

    public void InsertMetric(string key, double value, long step, long timeMs)
    {
        _metrics.Add(new PendingMetric(key, step, value, timeMs));
        if (_latestInBatch.TryGetValue(key, out var latest))
        {
            latest.Add(value, step, timeMs);
        }
        else
        {
            _latestInBatch[key] = new LatestMetric(value, step, timeMs);
        }
    }

    public void DiscardMetricStep(string key, long step) => _discards.Add((key, step));

    private void DiscardSteps(NpgsqlConnection connection)
    {
        using var command = connection.Command(
            "DELETE FROM metrics WHERE run_id = @run AND (key, step) IN (SELECT * FROM unnest(@keys, @steps));", ("run", _runId));
        command.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = _discards.Select(d => d.Key).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("steps", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = _discards.Select(d => d.Step).ToArray() });
        command.ExecuteNonQuery();
    }

    /// <summary>The touched keys' <c>latest_metrics</c> rows, summed up again from their whole history.</summary>
    private void RecomputeLatest(NpgsqlConnection connection)
    {
        using var command = connection.Command(
            """
            DELETE FROM latest_metrics WHERE run_id = @run AND key = ANY(@keys);
            INSERT INTO latest_metrics (run_id, key, step, value, min_value, max_value, count, time)
            SELECT @run, summary.key, last.step, last.value, summary.low, summary.high, summary.n, last.time
            FROM (SELECT key, min(value) AS low, max(value) AS high, count(*) AS n FROM metrics
                  WHERE run_id = @run AND key = ANY(@keys) GROUP BY key) AS summary
            JOIN (SELECT DISTINCT ON (key) key, step, value, time FROM metrics
                  WHERE run_id = @run AND key = ANY(@keys) ORDER BY key, step DESC, seq DESC) AS last ON last.key = summary.key;
            """,
            ("run", _runId));
        command.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = _discards.Select(d => d.Key).Distinct().ToArray() });
        command.ExecuteNonQuery();
    }

    public void UpsertParam(string key, EncodedParam value) => _statements.Add(() => _connection!.Execute(
        """
        INSERT INTO params (run_id, key, value_text, value_num, value_type) VALUES (@run, @key, @text, @num, @type)
        ON CONFLICT (run_id, key) DO UPDATE SET value_text = excluded.value_text, value_num = excluded.value_num, value_type = excluded.value_type;
        """,
        ("run", _runId), ("key", key), ("text", value.Text), ("num", Number(value.Number)), ("type", value.Type)));

    public void UpsertTag(string key, string value) => _statements.Add(() => _connection!.Execute(
        "INSERT INTO tags (run_id, key, value) VALUES (@run, @key, @value) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value;",
        ("run", _runId), ("key", key), ("value", value)));

    public void UpsertArtifact(ArtifactRecord artifact, long timeMs) => _statements.Add(() => _connection!.Execute(
        """
        INSERT INTO artifacts (run_id, path, kind, sha256, bytes, created) VALUES (@run, @path, @kind, @sha, @bytes, @time)
        ON CONFLICT (run_id, path) DO UPDATE SET kind = excluded.kind, sha256 = excluded.sha256, bytes = excluded.bytes, created = excluded.created;
        """,
        ("run", _runId), ("path", artifact.Path), ("kind", artifact.Kind), ("sha", artifact.Sha256), ("bytes", artifact.Bytes), ("time", timeMs)));

    public void SetStatus(RunStatus status, string? message, long timeMs) => _statements.Add(() =>
    {
        using var command = _connection!.Command(
            "UPDATE runs SET status = @status, end_time = @time, message = @message, heartbeat = @time WHERE id = @run;",
            ("run", _runId), ("status", RunStatusText.Of(status)), ("time", timeMs));
        command.Parameters.Add(new NpgsqlParameter("message", NpgsqlDbType.Text) { Value = (object?)message ?? DBNull.Value });
        command.ExecuteNonQuery();
    });

    /// <summary>Stamps the heartbeat; a run another process took for dead (this one was suspended, or the network was down) comes back.</summary>
    private void Heartbeat(NpgsqlConnection connection, long now) => connection.Execute(
        $"""
        UPDATE runs SET heartbeat = @time,
            status = CASE WHEN status = '{RunStatusText.Killed}' AND message LIKE '{RunLiveness.MessagePrefix}%' THEN '{RunStatusText.Running}' ELSE status END,
            end_time = CASE WHEN status = '{RunStatusText.Killed}' AND message LIKE '{RunLiveness.MessagePrefix}%' THEN NULL ELSE end_time END,
            message = CASE WHEN status = '{RunStatusText.Killed}' AND message LIKE '{RunLiveness.MessagePrefix}%' THEN NULL ELSE message END
        WHERE id = @run;
        """,
        ("run", _runId), ("time", now));

    private void CopyMetrics(NpgsqlConnection connection) => _copy.Send(connection, _metrics);

    /// <summary>
    /// One upsert for all keys of the batch (arrays unnested). The stored row is older than the batch: at an equal
    /// step the batch's value is the later one. LEAST and GREATEST leave NULLs (NaNs) out.
    /// </summary>
    private void UpsertLatest(NpgsqlConnection connection)
    {
        var keys = _latestInBatch.Keys.ToArray();
        var rows = keys.Select(k => _latestInBatch[k]).ToArray();
        using var command = connection.Command(
            """
            INSERT INTO latest_metrics (run_id, key, step, value, min_value, max_value, count, time)
            SELECT @run, * FROM unnest(@keys, @steps, @values, @mins, @maxes, @counts, @times)
            ON CONFLICT (run_id, key) DO UPDATE SET
                value = CASE WHEN excluded.step >= latest_metrics.step THEN excluded.value ELSE latest_metrics.value END,
                time = CASE WHEN excluded.step >= latest_metrics.step THEN excluded.time ELSE latest_metrics.time END,
                step = GREATEST(excluded.step, latest_metrics.step),
                min_value = LEAST(excluded.min_value, latest_metrics.min_value),
                max_value = GREATEST(excluded.max_value, latest_metrics.max_value),
                count = latest_metrics.count + excluded.count;
            """,
            ("run", _runId));
        command.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = keys });
        command.Parameters.Add(new NpgsqlParameter("steps", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = rows.Select(r => r.Step).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("values", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = rows.Select(r => Number(r.Value)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("mins", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = rows.Select(r => Number(r.Min)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("maxes", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = rows.Select(r => Number(r.Max)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("counts", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = rows.Select(r => r.Count).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("times", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = rows.Select(r => r.TimeMs).ToArray() });
        command.ExecuteNonQuery();
    }

    private static double? Number(double? value) => value is { } v && !double.IsNaN(v) ? v : null;
}
