using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Diffusion.Tracking;

/// <summary>
/// The sweep tables on PostgreSQL, shared by workers on many machines. A claim takes the lowest-numbered PENDING
/// trial with <c>FOR UPDATE SKIP LOCKED</c>, so two workers never claim the same trial and neither waits for the
/// other; a new trial (TPE) is made under a lock on the sweep's row, so its number is taken once. A claim whose
/// heartbeat grows older than the sweep's <see cref="SweepDefinition.StaleAfter"/> goes back to the queue, whichever
/// machine's worker stopped answering. Safe to use from several threads.
/// </summary>
internal sealed class PostgresSweepStore : ISweepStore
{
    private readonly PostgresLocation _location;
    private readonly NpgsqlDataSource _source;
    private int _disposed;

    private PostgresSweepStore(PostgresLocation location, NpgsqlDataSource source) => (_location, _source) = (location, source);

    public static PostgresSweepStore Open(PostgresLocation location, TrackingOptions? options)
    {
        // Opening a store first brings the schema up to date (or, read-only, checks it is).
        options ??= TrackingOptions.Default;
        using (PostgresTrackingStore.Open(location, options))
        {
        }

        return new PostgresSweepStore(location, PostgresDataSources.For(location, options.ReadOnly));
    }

    /// <inheritdoc />
    public void Create(SweepDefinition sweep, IEnumerable<string> points)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        ArgumentNullException.ThrowIfNull(points);
        var list = points.ToList();
        Write(connection =>
        {
            if (!PostgresRunQueries.Exists(connection, sweep.Id))
            {
                throw new RunNotFoundException(sweep.Id);
            }

            connection.Execute(
                """
                INSERT INTO sweeps (run_id, pipeline_path, pipeline_text, overrides, method, objective, direction, budget, fail_fast, stale_after, state, created)
                VALUES (@id, @path, @text, @overrides, @method, @objective, @direction, @budget, @failFast, @stale, 'RUNNING', @now);
                """,
                ("id", sweep.Id), ("path", sweep.PipelinePath), ("text", sweep.PipelineText),
                ("overrides", JsonSerializer.Serialize(sweep.Overrides)), ("method", sweep.Method), ("objective", sweep.Objective),
                ("direction", sweep.Maximize ? "maximize" : "minimize"), ("budget", sweep.Budget), ("failFast", sweep.FailFast ? 1 : 0),
                ("stale", (long)sweep.StaleAfter.TotalMilliseconds), ("now", UnixTime.NowMs()));
            connection.Execute(
                "INSERT INTO sweep_trials (sweep_id, number, params, state) SELECT @id, n - 1, point, 'PENDING' FROM unnest(@points) WITH ORDINALITY AS t(point, n);",
                ("id", sweep.Id), ("points", list.ToArray()));
            return true;
        });
    }

    /// <inheritdoc />
    public SweepRecord? Find(string sweepId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sweepId);
        return Use(connection => connection.Query($"SELECT {SweepColumns} FROM sweeps WHERE run_id = @id;", ReadSweep, ("id", sweepId)).SingleOrDefault());
    }

    /// <inheritdoc />
    public IReadOnlyList<SweepRecord> List() =>
        Use(connection => connection.Query($"SELECT {SweepColumns} FROM sweeps ORDER BY created DESC, run_id;", ReadSweep));

    /// <inheritdoc />
    public IReadOnlyList<TrialRecord> Trials(string sweepId) => Use(connection => TrialsOf(connection, sweepId));

    /// <inheritdoc />
    public TrialClaim Claim(string sweepId, string worker, Func<IReadOnlyList<TrialRecord>, int, string>? propose)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(worker);
        return Write(connection =>
        {
            var sweep = SweepRow(connection, sweepId, forUpdate: false);
            if (sweep.State != SweepState.Running)
            {
                return new TrialClaim(null, sweep.State == SweepState.Stopped ? ClaimOutcome.Stopped : ClaimOutcome.Finished);
            }

            var now = UnixTime.NowMs();
            connection.Execute(
                """
                UPDATE sweep_trials SET state = 'PENDING', message = 'worker ' || worker || ' stopped answering; trial re-queued', worker = NULL
                WHERE sweep_id = @id AND state = 'RUNNING' AND heartbeat < @stale;
                """,
                ("id", sweepId), ("stale", now - sweep.StaleAfterMs));

            var claimed = connection.Query(
                """
                UPDATE sweep_trials SET state = 'RUNNING', worker = @worker, heartbeat = @now, attempts = attempts + 1, run_id = NULL, value = NULL
                WHERE sweep_id = @id AND number = (
                    SELECT number FROM sweep_trials WHERE sweep_id = @id AND state = 'PENDING'
                    ORDER BY number LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING number;
                """,
                r => r.GetInt32(0),
                ("id", sweepId), ("worker", worker), ("now", now));
            if (claimed.Count == 1)
            {
                return new TrialClaim(TrialsOf(connection, sweepId).Single(t => t.Number == claimed[0]), ClaimOutcome.Claimed);
            }

            // Making a trial: one worker at a time (the sweep's row is locked until commit), so numbers are taken once.
            SweepRow(connection, sweepId, forUpdate: true);
            var trials = TrialsOf(connection, sweepId);
            if (trials.Any(t => t.State == TrialState.Pending))
            {
                // Another worker gave one back (or holds its row locked) meanwhile: try again shortly.
                return new TrialClaim(null, ClaimOutcome.Wait);
            }

            if (trials.Count < sweep.Budget && propose is not null)
            {
                var number = trials.Count == 0 ? 0 : trials.Max(t => t.Number) + 1;
                var point = propose(trials, number);
                connection.Execute(
                    "INSERT INTO sweep_trials (sweep_id, number, params, state, worker, heartbeat, attempts) VALUES (@id, @n, @point, 'RUNNING', @worker, @now, 1);",
                    ("id", sweepId), ("n", number), ("point", point), ("worker", worker), ("now", now));
                return new TrialClaim(TrialsOf(connection, sweepId).Single(t => t.Number == number), ClaimOutcome.Claimed);
            }

            return new TrialClaim(null, trials.Any(t => t.State == TrialState.Running) || trials.Count < sweep.Budget ? ClaimOutcome.Wait : ClaimOutcome.Finished);
        });
    }

    /// <inheritdoc />
    public HeartbeatOutcome Heartbeat(string sweepId, int number, string worker) => Write(connection =>
    {
        var held = connection.Execute(
            "UPDATE sweep_trials SET heartbeat = @now WHERE sweep_id = @id AND number = @n AND worker = @worker AND state = 'RUNNING';",
            ("id", sweepId), ("n", number), ("worker", worker), ("now", UnixTime.NowMs())) == 1;
        return !held ? HeartbeatOutcome.Lost
            : SweepRow(connection, sweepId, forUpdate: false).State == SweepState.Running ? HeartbeatOutcome.Held
            : HeartbeatOutcome.SweepStopped;
    });

    /// <inheritdoc />
    public bool AttachRun(string sweepId, int number, string worker, string runId) => Write(connection =>
        connection.Execute(
            "UPDATE sweep_trials SET run_id = @run WHERE sweep_id = @id AND number = @n AND worker = @worker AND state = 'RUNNING';",
            ("id", sweepId), ("n", number), ("worker", worker), ("run", runId)) == 1);

    /// <inheritdoc />
    public bool Finish(string sweepId, int number, string worker, TrialState state, double? value, string? message)
    {
        if (state == TrialState.Running)
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "a trial ends COMPLETED, FAILED or PRUNED, or goes back to PENDING");
        }

        return Write(connection =>
        {
            using var command = connection.Command(
                """
                UPDATE sweep_trials SET state = @state, value = @value, message = @message, heartbeat = @now,
                                        worker = CASE WHEN @state = 'PENDING' THEN NULL ELSE worker END
                WHERE sweep_id = @id AND number = @n AND worker = @worker AND state = 'RUNNING';
                """,
                ("id", sweepId), ("n", number), ("worker", worker), ("state", SqliteSweepStore.StateText(state)), ("now", UnixTime.NowMs()));
            command.Parameters.Add(new NpgsqlParameter("value", NpgsqlDbType.Double) { Value = value is { } v ? v : DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("message", NpgsqlDbType.Text) { Value = (object?)message ?? DBNull.Value });
            var changed = command.ExecuteNonQuery() == 1;
            if (changed && state == TrialState.Failed && SweepRow(connection, sweepId, forUpdate: false).FailFast)
            {
                UpdateState(connection, sweepId, SweepState.Stopped, $"stopped by --fail-fast: trial {number} failed: {message}");
            }

            return changed;
        });
    }

    /// <inheritdoc />
    public void SetState(string sweepId, SweepState state, string? message = null) => Write(connection =>
    {
        UpdateState(connection, sweepId, state, message);
        return true;
    });

    /// <summary>Marks the store closed; pooled connections stay with the process's data source.</summary>
    public void Dispose() => Interlocked.Exchange(ref _disposed, 1);

    private static void UpdateState(NpgsqlConnection connection, string sweepId, SweepState state, string? message)
    {
        using var command = connection.Command("UPDATE sweeps SET state = @state, message = @message WHERE run_id = @id;",
            ("id", sweepId), ("state", state.ToString().ToUpperInvariant()));
        command.Parameters.Add(new NpgsqlParameter("message", NpgsqlDbType.Text) { Value = (object?)message ?? DBNull.Value });
        if (command.ExecuteNonQuery() == 0)
        {
            throw new RunNotFoundException(sweepId);
        }
    }

    private static (SweepState State, long StaleAfterMs, int Budget, bool FailFast) SweepRow(NpgsqlConnection connection, string sweepId, bool forUpdate)
    {
        var rows = connection.Query(
            $"SELECT state, stale_after, budget, fail_fast FROM sweeps WHERE run_id = @id{(forUpdate ? " FOR UPDATE" : "")};",
            r => (Enum.Parse<SweepState>(r.GetString(0), ignoreCase: true), r.GetInt64(1), r.GetInt32(2), r.GetInt32(3) != 0),
            ("id", sweepId));
        return rows.Count == 1 ? rows[0] : throw new RunNotFoundException(sweepId);
    }

    private const string SweepColumns =
        "run_id, pipeline_path, pipeline_text, overrides, method, objective, direction, budget, fail_fast, stale_after, state, message";

    private static SweepRecord ReadSweep(NpgsqlDataReader r) => new(
        new SweepDefinition(r.GetString(0), r.GetString(1), r.GetString(2), JsonSerializer.Deserialize<List<string>>(r.GetString(3)) ?? [],
            r.GetString(4), r.GetString(5), r.GetString(6) == "maximize", r.GetInt32(7), r.GetInt32(8) != 0, TimeSpan.FromMilliseconds(r.GetInt64(9))),
        Enum.Parse<SweepState>(r.GetString(10), ignoreCase: true),
        r.NullableString(11));

    private static List<TrialRecord> TrialsOf(NpgsqlConnection connection, string sweepId) => connection.Query(
        "SELECT number, params, state, worker, heartbeat, attempts, run_id, value, message FROM sweep_trials WHERE sweep_id = @id ORDER BY number;",
        r => new TrialRecord(r.GetInt32(0), r.GetString(1), Enum.Parse<TrialState>(r.GetString(2), ignoreCase: true), r.NullableString(3),
            UnixTime.FromNullable(r.NullableInt64(4)), r.GetInt32(5), r.NullableString(6), r.IsDBNull(7) ? null : r.GetDouble(7), r.NullableString(8)),
        ("id", sweepId));

    private T Use<T>(Func<NpgsqlConnection, T> work)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return PostgresErrors.Translated(_location, () =>
        {
            using var connection = _source.OpenConnection();
            return work(connection);
        });
    }

    private T Write<T>(Func<NpgsqlConnection, T> work) => Use(connection => connection.InTransaction(() => work(connection)));
}
