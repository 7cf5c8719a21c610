using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Diffusion.Tracking;

/// <summary>
/// Reads and writes whole runs of a PostgreSQL tracking database, for <see cref="TrackingCopy"/> (the target of
/// <c>runs migrate</c>). Each run goes in one transaction, its metric rows by binary COPY.
/// </summary>
internal sealed class PostgresArchive : ArchiveReader, IRunArchiveWriter
{
    private readonly PostgresLocation _location;
    private readonly NpgsqlConnection _connection;

    private PostgresArchive(PostgresLocation location, NpgsqlConnection connection)
        : base(connection, "seq")
    {
        _location = location;
        _connection = connection;
    }

    public static PostgresArchive Open(PostgresLocation location) =>
        new(location, PostgresErrors.Translated(location, () => PostgresDataSources.For(location).OpenConnection()));

    public bool HasRun(string runId) => _connection.Scalar<long>("SELECT count(*) FROM runs WHERE id = @id;", ("id", runId)) > 0;

    public bool HasSweep(string sweepId) => _connection.Scalar<long>("SELECT count(*) FROM sweeps WHERE run_id = @id;", ("id", sweepId)) > 0;

    public void Write(RunDump dump) => PostgresErrors.Translated(_location, () =>
    {
        var run = dump.Run;
        using var transaction = _connection.BeginTransaction();
        _connection.Execute("INSERT INTO experiments (name, created) VALUES (@name, @created) ON CONFLICT (name) DO NOTHING;", ("name", run.Experiment), ("created", run.ExperimentCreated));
        var experiment = _connection.Scalar<long>("SELECT id FROM experiments WHERE name = @name;", ("name", run.Experiment));
        using (var insert = _connection.Command(
                   """
                   INSERT INTO runs (id, experiment_id, name, status, start_time, end_time, heartbeat, seed, pipeline_path, pipeline_text, pipeline_hash,
                                     code_version, host, pid, parent_run_id, message, deleted, artifact_root)
                   VALUES (@id, @experiment, @name, @status, @start, @end, @heartbeat, @seed, @path, @text, @hash, @code, @host, @pid, @parent, @message, @deleted, @root);
                   """,
                   ("id", run.Id), ("experiment", experiment), ("name", run.Name), ("status", run.Status), ("start", run.StartTime), ("seed", run.Seed),
                   ("path", run.PipelinePath), ("text", run.PipelineText), ("hash", run.PipelineHash), ("code", run.CodeVersion), ("host", run.Host),
                   ("pid", run.Pid), ("deleted", run.Deleted ? 1 : 0)))
        {
            Typed(insert, "end", NpgsqlDbType.Bigint, run.EndTime);
            Typed(insert, "heartbeat", NpgsqlDbType.Bigint, run.Heartbeat);
            Typed(insert, "parent", NpgsqlDbType.Text, run.ParentRunId);
            Typed(insert, "message", NpgsqlDbType.Text, run.Message);
            Typed(insert, "root", NpgsqlDbType.Text, run.ArtifactRoot);
            insert.ExecuteNonQuery();
        }

        foreach (var p in dump.Params)
        {
            using var command = _connection.Command(
                "INSERT INTO params (run_id, key, value_text, value_num, value_type) VALUES (@run, @key, @text, @num, @type);",
                ("run", run.Id), ("key", p.Key), ("text", p.Text), ("type", p.Type));
            Typed(command, "num", NpgsqlDbType.Double, p.Number);
            command.ExecuteNonQuery();
        }

        new MetricCopy(run.Id).Send(_connection, dump.Metrics.Select(m => new PendingMetric(m.Key, m.Step, m.Value, m.Time)).ToList());

        foreach (var l in dump.Latest)
        {
            using var command = _connection.Command(
                "INSERT INTO latest_metrics (run_id, key, step, value, min_value, max_value, count, time) VALUES (@run, @key, @step, @value, @min, @max, @count, @time);",
                ("run", run.Id), ("key", l.Key), ("step", l.Step), ("count", l.Count), ("time", l.Time));
            Typed(command, "value", NpgsqlDbType.Double, NullIfNaN(l.Value));
            Typed(command, "min", NpgsqlDbType.Double, NullIfNaN(l.Min));
            Typed(command, "max", NpgsqlDbType.Double, NullIfNaN(l.Max));
            command.ExecuteNonQuery();
        }

        foreach (var t in dump.Tags)
        {
            _connection.Execute("INSERT INTO tags (run_id, key, value) VALUES (@run, @key, @value);", ("run", run.Id), ("key", t.Key), ("value", t.Value));
        }

        foreach (var a in dump.Artifacts)
        {
            _connection.Execute(
                "INSERT INTO artifacts (run_id, path, kind, sha256, bytes, created) VALUES (@run, @path, @kind, @sha, @bytes, @created);",
                ("run", run.Id), ("path", a.Path), ("kind", a.Kind), ("sha", a.Sha256), ("bytes", a.Bytes), ("created", a.Created));
        }

        transaction.Commit();
    });

    public void Write(SweepDump sweep) => PostgresErrors.Translated(_location, () =>
    {
        var d = sweep.Definition;
        using var transaction = _connection.BeginTransaction();
        using (var insert = _connection.Command(
                   """
                   INSERT INTO sweeps (run_id, pipeline_path, pipeline_text, overrides, method, objective, direction, budget, fail_fast, stale_after, state, message, created)
                   VALUES (@id, @path, @text, @overrides, @method, @objective, @direction, @budget, @failFast, @stale, @state, @message, @created);
                   """,
                   ("id", d.Id), ("path", d.PipelinePath), ("text", d.PipelineText), ("overrides", JsonSerializer.Serialize(d.Overrides)), ("method", d.Method),
                   ("objective", d.Objective), ("direction", d.Maximize ? "maximize" : "minimize"), ("budget", d.Budget), ("failFast", d.FailFast ? 1 : 0),
                   ("stale", (long)d.StaleAfter.TotalMilliseconds), ("state", sweep.State), ("created", sweep.Created)))
        {
            Typed(insert, "message", NpgsqlDbType.Text, sweep.Message);
            insert.ExecuteNonQuery();
        }

        foreach (var t in sweep.Trials)
        {
            using var command = _connection.Command(
                """
                INSERT INTO sweep_trials (sweep_id, number, params, state, worker, heartbeat, attempts, run_id, value, message)
                VALUES (@sweep, @number, @point, @state, @worker, @heartbeat, @attempts, @run, @value, @message);
                """,
                ("sweep", d.Id), ("number", t.Number), ("point", t.Point), ("state", t.State), ("attempts", t.Attempts));
            Typed(command, "worker", NpgsqlDbType.Text, t.Worker);
            Typed(command, "heartbeat", NpgsqlDbType.Bigint, t.Heartbeat);
            Typed(command, "run", NpgsqlDbType.Text, t.RunId);
            Typed(command, "value", NpgsqlDbType.Double, t.Value);
            Typed(command, "message", NpgsqlDbType.Text, t.Message);
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    });

    private static double? NullIfNaN(double value) => double.IsNaN(value) ? null : value;

    private static void Typed(NpgsqlCommand command, string name, NpgsqlDbType type, object? value) =>
        command.Parameters.Add(new NpgsqlParameter(name, type) { Value = value ?? DBNull.Value });
}
