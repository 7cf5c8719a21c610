using Microsoft.Data.Sqlite;

namespace Diffusion.Tracking;

/// <summary>The background writer's statements, prepared once per run and reused for every batch.</summary>
internal sealed class WriterStatements : IDisposable
{
    private readonly SqliteCommand _metric;
    private readonly SqliteCommand _param;
    private readonly SqliteCommand _tag;
    private readonly SqliteCommand _artifact;
    private readonly SqliteCommand _status;
    private readonly SqliteCommand _heartbeat;

    public WriterStatements(SqliteConnection connection, string runId)
    {
        _metric = Prepare(connection, runId,
            "INSERT INTO metrics (run_id, key, step, value, time) VALUES (@run, @key, @step, @value, @time);",
            "@key", "@step", "@value", "@time");
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
            WHERE id = @run AND status = '{RunStatusText.Killed}' AND message LIKE '{StaleRuns.MessagePrefix}%';
            """,
            "@time");
    }

    public void InsertMetric(string key, double value, long step, long timeMs) =>
        Run(_metric, key, step, double.IsNaN(value) ? null : value, timeMs);

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
        foreach (var command in new[] { _metric, _param, _tag, _artifact, _status, _heartbeat })
        {
            command.Dispose();
        }
    }

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
