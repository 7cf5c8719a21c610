using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Diffusion.Tracking;

/// <summary>
/// The sweep tables of a SQLite tracking database: a sweep and its trials, claimed by worker processes. Every change
/// happens in a write transaction taken up front (BEGIN IMMEDIATE), so two workers never claim the same trial:
/// a claim is an UPDATE ... WHERE state = 'PENDING' that only one transaction can win. A claim whose
/// heartbeat grows older than the sweep's <see cref="SweepDefinition.StaleAfter"/> goes back to the queue.
/// Safe to use from several threads. SQLite's errors come out as <see cref="TrackingStoreException"/>.
/// </summary>
public sealed class SqliteSweepStore : ISweepStore
{
    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();
    private bool _disposed;

    private SqliteSweepStore(SqliteConnection connection) => _connection = connection;

    /// <summary>Opens the sweep tables of the database at <paramref name="databasePath"/> (creating and migrating it if needed).</summary>
    /// <exception cref="TrackingStoreException">The file cannot be opened as a tracking database (e.g. it is corrupt).</exception>
    public static SqliteSweepStore Open(string databasePath, TrackingOptions? options = null)
    {
        // Opening a store first brings the schema up to date (or, read-only, checks it is).
        options ??= TrackingOptions.Default;
        using (SqliteTrackingStore.Open(databasePath, options))
        {
        }

        return SqliteErrors.Translated(() =>
            new SqliteSweepStore(SqliteConnections.Open(Path.GetFullPath(databasePath), options.BusyTimeout, options.ReadOnly)), Path.GetFullPath(databasePath));
    }

    /// <inheritdoc />
    public void Create(SweepDefinition sweep, IEnumerable<string> points)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        ArgumentNullException.ThrowIfNull(points);
        var list = points.ToList();
        Write(() =>
        {
            if (!RunQueries.Exists(_connection, sweep.Id))
            {
                throw new RunNotFoundException(sweep.Id);
            }

            _connection.Execute(
                """
                INSERT INTO sweeps (run_id, pipeline_path, pipeline_text, overrides, method, objective, direction, budget, fail_fast, stale_after, state, created)
                VALUES (@id, @path, @text, @overrides, @method, @objective, @direction, @budget, @failFast, @stale, 'RUNNING', @now);
                """,
                ("@id", sweep.Id), ("@path", sweep.PipelinePath), ("@text", sweep.PipelineText),
                ("@overrides", JsonSerializer.Serialize(sweep.Overrides)), ("@method", sweep.Method), ("@objective", sweep.Objective),
                ("@direction", sweep.Maximize ? "maximize" : "minimize"), ("@budget", sweep.Budget), ("@failFast", sweep.FailFast ? 1 : 0),
                ("@stale", (long)sweep.StaleAfter.TotalMilliseconds), ("@now", UnixTime.NowMs()));
            for (var i = 0; i < list.Count; i++)
            {
                _connection.Execute("INSERT INTO sweep_trials (sweep_id, number, params, state) VALUES (@id, @n, @point, 'PENDING');",
                    ("@id", sweep.Id), ("@n", i), ("@point", list[i]));
            }
        });
    }

    /// <inheritdoc />
    public SweepRecord? Find(string sweepId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sweepId);
        return Read(() => _connection.Query($"SELECT {SweepColumns} FROM sweeps WHERE run_id = @id;", ReadSweep, ("@id", sweepId)).SingleOrDefault());
    }

    /// <inheritdoc />
    public IReadOnlyList<SweepRecord> List() =>
        Read(() => _connection.Query($"SELECT {SweepColumns} FROM sweeps ORDER BY created DESC, run_id;", ReadSweep));

    /// <inheritdoc />
    public IReadOnlyList<TrialRecord> Trials(string sweepId) => Read(() => TrialsOf(sweepId));

    /// <inheritdoc />
    public TrialClaim Claim(string sweepId, string worker, Func<IReadOnlyList<TrialRecord>, int, string>? propose)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(worker);
        return Write(() =>
        {
            var sweep = SweepRow(sweepId);
            if (sweep.State != SweepState.Running)
            {
                return new TrialClaim(null, sweep.State == SweepState.Stopped ? ClaimOutcome.Stopped : ClaimOutcome.Finished);
            }

            var now = UnixTime.NowMs();
            _connection.Execute(
                """
                UPDATE sweep_trials SET state = 'PENDING', message = 'worker ' || worker || ' stopped answering; trial re-queued', worker = NULL
                WHERE sweep_id = @id AND state = 'RUNNING' AND heartbeat < @stale;
                """,
                ("@id", sweepId), ("@stale", now - sweep.StaleAfterMs));

            var claimed = _connection.Query(
                """
                UPDATE sweep_trials SET state = 'RUNNING', worker = @worker, heartbeat = @now, attempts = attempts + 1, run_id = NULL, value = NULL
                WHERE sweep_id = @id AND number = (SELECT min(number) FROM sweep_trials WHERE sweep_id = @id AND state = 'PENDING')
                RETURNING number;
                """,
                r => r.GetInt32(0),
                ("@id", sweepId), ("@worker", worker), ("@now", now));
            if (claimed.Count == 1)
            {
                return new TrialClaim(TrialsOf(sweepId).Single(t => t.Number == claimed[0]), ClaimOutcome.Claimed);
            }

            var trials = TrialsOf(sweepId);
            if (trials.Count < sweep.Budget && propose is not null)
            {
                var number = trials.Count == 0 ? 0 : trials.Max(t => t.Number) + 1;
                var point = propose(trials, number);
                _connection.Execute(
                    "INSERT INTO sweep_trials (sweep_id, number, params, state, worker, heartbeat, attempts) VALUES (@id, @n, @point, 'RUNNING', @worker, @now, 1);",
                    ("@id", sweepId), ("@n", number), ("@point", point), ("@worker", worker), ("@now", now));
                return new TrialClaim(TrialsOf(sweepId).Single(t => t.Number == number), ClaimOutcome.Claimed);
            }

            return new TrialClaim(null, trials.Any(t => t.State == TrialState.Running) || trials.Count < sweep.Budget ? ClaimOutcome.Wait : ClaimOutcome.Finished);
        });
    }

    /// <inheritdoc />
    public HeartbeatOutcome Heartbeat(string sweepId, int number, string worker) => Write(() =>
    {
        var held = _connection.Execute(
            "UPDATE sweep_trials SET heartbeat = @now WHERE sweep_id = @id AND number = @n AND worker = @worker AND state = 'RUNNING';",
            ("@id", sweepId), ("@n", number), ("@worker", worker), ("@now", UnixTime.NowMs())) == 1;
        return !held ? HeartbeatOutcome.Lost
            : SweepRow(sweepId).State == SweepState.Running ? HeartbeatOutcome.Held
            : HeartbeatOutcome.SweepStopped;
    });

    /// <inheritdoc />
    public bool AttachRun(string sweepId, int number, string worker, string runId) => Write(() =>
        _connection.Execute(
            "UPDATE sweep_trials SET run_id = @run WHERE sweep_id = @id AND number = @n AND worker = @worker AND state = 'RUNNING';",
            ("@id", sweepId), ("@n", number), ("@worker", worker), ("@run", runId)) == 1);

    /// <inheritdoc />
    public bool Finish(string sweepId, int number, string worker, TrialState state, double? value, string? message)
    {
        if (state == TrialState.Running)
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "a trial ends COMPLETED, FAILED or PRUNED, or goes back to PENDING");
        }

        return Write(() =>
        {
            var changed = _connection.Execute(
                """
                UPDATE sweep_trials SET state = @state, value = @value, message = @message, heartbeat = @now,
                                        worker = CASE WHEN @state = 'PENDING' THEN NULL ELSE worker END
                WHERE sweep_id = @id AND number = @n AND worker = @worker AND state = 'RUNNING';
                """,
                ("@id", sweepId), ("@n", number), ("@worker", worker), ("@state", StateText(state)), ("@value", value),
                ("@message", message), ("@now", UnixTime.NowMs())) == 1;
            if (changed && state == TrialState.Failed && SweepRow(sweepId).FailFast)
            {
                UpdateState(sweepId, SweepState.Stopped, $"stopped by --fail-fast: trial {number} failed: {message}");
            }

            return changed;
        });
    }

    /// <inheritdoc />
    public void SetState(string sweepId, SweepState state, string? message = null) => Write(() => UpdateState(sweepId, state, message));

    /// <summary>Closes the connection.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _disposed = true;
                _connection.Dispose();
            }
        }
    }

    internal static string StateText(TrialState state) => state.ToString().ToUpperInvariant();

    private void UpdateState(string sweepId, SweepState state, string? message)
    {
        if (_connection.Execute("UPDATE sweeps SET state = @state, message = @message WHERE run_id = @id;",
                ("@id", sweepId), ("@state", state.ToString().ToUpperInvariant()), ("@message", message)) == 0)
        {
            throw new RunNotFoundException(sweepId);
        }
    }

    private (SweepState State, long StaleAfterMs, int Budget, bool FailFast) SweepRow(string sweepId)
    {
        var rows = _connection.Query(
            "SELECT state, stale_after, budget, fail_fast FROM sweeps WHERE run_id = @id;",
            r => (Enum.Parse<SweepState>(r.GetString(0), ignoreCase: true), r.GetInt64(1), r.GetInt32(2), r.GetInt64(3) != 0),
            ("@id", sweepId));
        return rows.Count == 1 ? rows[0] : throw new RunNotFoundException(sweepId);
    }

    private const string SweepColumns =
        "run_id, pipeline_path, pipeline_text, overrides, method, objective, direction, budget, fail_fast, stale_after, state, message";

    private static SweepRecord ReadSweep(SqliteDataReader r) => new(
        new SweepDefinition(r.GetString(0), r.GetString(1), r.GetString(2), JsonSerializer.Deserialize<List<string>>(r.GetString(3)) ?? [],
            r.GetString(4), r.GetString(5), r.GetString(6) == "maximize", r.GetInt32(7), r.GetInt64(8) != 0, TimeSpan.FromMilliseconds(r.GetInt64(9))),
        Enum.Parse<SweepState>(r.GetString(10), ignoreCase: true),
        r.NullableString(11));

    private List<TrialRecord> TrialsOf(string sweepId) => _connection.Query(
        "SELECT number, params, state, worker, heartbeat, attempts, run_id, value, message FROM sweep_trials WHERE sweep_id = @id ORDER BY number;",
        r => new TrialRecord(r.GetInt32(0), r.GetString(1), Enum.Parse<TrialState>(r.GetString(2), ignoreCase: true), r.NullableString(3),
            UnixTime.FromNullable(r.NullableInt64(4)), r.GetInt32(5), r.NullableString(6), r.IsDBNull(7) ? null : r.GetDouble(7), r.NullableString(8)),
        ("@id", sweepId));

    private T Read<T>(Func<T> read)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return SqliteErrors.Translated(read, _connection.DataSource);
        }
    }

    private T Write<T>(Func<T> work)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return SqliteErrors.Translated(() => _connection.InWriteTransaction(work), _connection.DataSource);
        }
    }

    private void Write(Action work) => Write(() =>
    {
        work();
        return true;
    });
}
