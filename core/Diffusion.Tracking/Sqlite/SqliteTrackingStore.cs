using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Diffusion.Tracking;

/// <summary>
/// The SQLite run-tracking store: one database file (WAL) that several processes may read and write at once.
/// A store is safe to use from several threads; each <see cref="IRunRecorder"/> it starts writes through its own
/// connection and keeps working after the store is disposed. SQLite's errors come out as <see cref="TrackingStoreException"/>.
/// </summary>
public sealed class SqliteTrackingStore : ITrackingStore
{
    /// <summary>How many matches an ambiguous id prefix lists.</summary>
    private const int AmbiguousMatchesShown = 20;

    private readonly SqliteConnection _connection;
    private readonly TrackingOptions _options;
    private readonly Lock _gate = new();
    private bool _disposed;

    private SqliteTrackingStore(string databasePath, SqliteConnection connection, TrackingOptions options)
    {
        DatabasePath = databasePath;
        _connection = connection;
        _options = options;
    }

    /// <summary>The absolute path of the database file.</summary>
    public string DatabasePath { get; }

    /// <inheritdoc />
    public string Location => DatabasePath;

    /// <summary>Opens (creating if needed) the database at <paramref name="databasePath"/> with the default options.</summary>
    public static SqliteTrackingStore Open(string databasePath) => Open(databasePath, TrackingOptions.Default);

    /// <summary>
    /// Opens (creating the file and its folder if needed) the database at <paramref name="databasePath"/> and
    /// brings its schema up to date. Safe when several processes open a fresh file at the same moment.
    /// </summary>
    /// <exception cref="TrackingStoreException">The file cannot be opened as a tracking database (e.g. it is corrupt).</exception>
    public static SqliteTrackingStore Open(string databasePath, TrackingOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var fullPath = Path.GetFullPath(databasePath);
        if (options.ReadOnly)
        {
            return OpenReadOnly(fullPath, options);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        return SqliteErrors.Translated(() =>
        {
            var connection = SqliteConnections.Open(fullPath, options.BusyTimeout);
            try
            {
                SchemaMigrator.Migrate(connection);
            }
            catch
            {
                connection.Dispose();
                throw;
            }

            return new SqliteTrackingStore(fullPath, connection, options);
        }, fullPath);
    }

    /// <summary>Opens an existing, up-to-date database for reading only (<see cref="TrackingOptions.ReadOnly"/>).</summary>
    private static SqliteTrackingStore OpenReadOnly(string fullPath, TrackingOptions options)
    {
        if (!File.Exists(fullPath))
        {
            throw new TrackingStoreException($"no tracking database at {fullPath} (pass --db PATH)");
        }

        return SqliteErrors.Translated(() =>
        {
            var connection = SqliteConnections.Open(fullPath, options.BusyTimeout, readOnly: true);
            try
            {
                var version = SchemaMigrator.CurrentVersion(connection);
                if (version != Migrations.Latest)
                {
                    throw new TrackingStoreException(
                        $"the tracking database {fullPath} has schema version {version}; this build reads {Migrations.Latest}: " +
                        "any writing command (e.g. 'diffusion runs list --db ...') upgrades it");
                }
            }
            catch
            {
                connection.Dispose();
                throw;
            }

            return new SqliteTrackingStore(fullPath, connection, options);
        });
    }

    /// <inheritdoc />
    public IRunRecorder StartRun(NewRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrWhiteSpace(run.Name, nameof(run.Name));
        ArgumentException.ThrowIfNullOrWhiteSpace(run.Experiment, nameof(run.Experiment));
        ArgumentNullException.ThrowIfNull(run.PipelinePath, nameof(run.PipelinePath));
        ArgumentNullException.ThrowIfNull(run.PipelineText, nameof(run.PipelineText));
        ArgumentNullException.ThrowIfNull(run.CodeVersion, nameof(run.CodeVersion));
        var pipelineHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(run.PipelineText)));

        return WithRecorderConnection(registerLive =>
        {
            var now = UnixTime.NowMs();
            if (run.ParentRunId is { } parent && !RunQueries.Exists(_connection, parent))
            {
                throw new RunNotFoundException(parent);
            }

            var experimentId = EnsureExperiment(run.Experiment, now);
            var id = NewUnusedId();
            // Live before the row is visible: a sweep in another thread must never take this run for dead.
            registerLive(id);
            _connection.Execute(
                $"""
                INSERT INTO runs (id, experiment_id, name, status, start_time, heartbeat, seed, pipeline_path, pipeline_text,
                                  pipeline_hash, code_version, host, pid, parent_run_id, artifact_root)
                VALUES (@id, @experiment, @name, '{RunStatusText.Running}', @now, @now, @seed, @path, @text,
                        @hash, @code, @host, @pid, @parent, @artifacts);
                """,
                ("@id", id), ("@experiment", experimentId), ("@name", run.Name), ("@now", now), ("@seed", run.Seed),
                ("@path", run.PipelinePath), ("@text", run.PipelineText), ("@hash", pipelineHash), ("@code", run.CodeVersion),
                ("@host", HostName.Current), ("@pid", Environment.ProcessId), ("@parent", run.ParentRunId), ("@artifacts", run.ArtifactRoot));
            return id;
        });
    }

    /// <inheritdoc />
    public IRunRecorder ResumeRun(string runId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        return WithRecorderConnection(registerLive =>
        {
            var run = _connection.Query(
                    "SELECT status, host, pid, coalesce(heartbeat, start_time) FROM runs WHERE id = @id AND deleted = 0;",
                    r => (Status: r.GetString(0), Running: new RunningRun(runId, r.GetString(1), r.GetInt32(2), r.GetInt64(3))),
                    ("@id", runId))
                .SingleOrDefault();
            if (run.Status is null)
            {
                throw new RunNotFoundException(runId);
            }

            if (run.Status == RunStatusText.Running && RunLiveness.IsAlive(run.Running, UnixTime.NowMs(), _options))
            {
                throw new InvalidOperationException(
                    $"run {runId} is still running (pid {run.Running.Pid} on {run.Running.Host}); stop it before resuming it");
            }

            registerLive(runId);
            _connection.Execute(
                $"""
                UPDATE runs SET status = '{RunStatusText.Running}', end_time = NULL, message = NULL,
                                host = @host, pid = @pid, heartbeat = @now
                WHERE id = @id;
                """,
                ("@id", runId), ("@host", HostName.Current), ("@pid", Environment.ProcessId), ("@now", UnixTime.NowMs()));
            return runId;
        }, resumed: true);
    }

    /// <inheritdoc />
    public IReadOnlyList<RunSummary> ListRuns(int limit = 100, string? experiment = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return Locked(() =>
        {
            var dead = StaleRuns.Sweep(_connection, _options);
            return dead.Report(RunQueries.List(_connection, limit, experiment));
        });
    }

    /// <inheritdoc />
    public RunSearchResult SearchRuns(RunSearch search)
    {
        ArgumentNullException.ThrowIfNull(search);
        return Locked(() =>
        {
            var dead = StaleRuns.Sweep(_connection, _options);
            return dead.Report(RunSearchQuery.Run(_connection, search));
        });
    }

    /// <inheritdoc />
    public IReadOnlyList<RunValues> ExportRuns(RunSearch search)
    {
        ArgumentNullException.ThrowIfNull(search);
        return Locked(() =>
        {
            var dead = StaleRuns.Sweep(_connection, _options);
            var runs = RunSearchQuery.Run(_connection, search).Rows.Select(r => r.Run).ToList();
            return dead.Report(RunQueries.Values(_connection, runs));
        });
    }

    /// <inheritdoc />
    public RunDetails? FindRun(string idOrUniquePrefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idOrUniquePrefix);
        var prefix = idOrUniquePrefix.Trim().ToLowerInvariant();
        return Locked(() =>
        {
            var dead = StaleRuns.Sweep(_connection, _options);
            var matches = RunQueries.WithIdPrefix(_connection, prefix, AmbiguousMatchesShown);
            return matches.Count switch
            {
                0 => null,
                1 => dead.Report(RunQueries.Details(_connection, matches[0].Id)),
                _ => throw new AmbiguousRunIdException(prefix, dead.Report(matches)),
            };
        });
    }

    /// <inheritdoc />
    public IReadOnlyList<MetricPoint> MetricHistory(string runId, string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrEmpty(key);
        return Locked(() =>
        {
            return RunQueries.MetricHistory(_connection, runId, key);
        });
    }

    /// <inheritdoc />
    public void DeleteRun(string runId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        Locked(() =>
        {
            if (_connection.Execute("UPDATE runs SET deleted = 1 WHERE id = @id AND deleted = 0;", ("@id", runId)) == 0)
            {
                throw new RunNotFoundException(runId);
            }
        });
    }

    /// <inheritdoc />
    public string RestoreRun(string idOrUniquePrefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idOrUniquePrefix);
        var prefix = idOrUniquePrefix.Trim().ToLowerInvariant();
        return Locked(() =>
        {
            var matches = RunQueries.WithIdPrefix(_connection, prefix, AmbiguousMatchesShown, deleted: true);
            switch (matches.Count)
            {
                case 0:
                    throw new RunNotFoundException(prefix);
                case > 1:
                    throw new AmbiguousRunIdException(prefix, matches);
            }

            _connection.Execute("UPDATE runs SET deleted = 0 WHERE id = @id;", ("@id", matches[0].Id));
            return matches[0].Id;
        });
    }

    /// <inheritdoc />
    public void SetTags(string runId, IEnumerable<KeyValuePair<string, string>> tags)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentNullException.ThrowIfNull(tags);
        var list = tags.ToList();
        if (list.Any(t => string.IsNullOrEmpty(t.Key)))
        {
            throw new ArgumentException("a tag key cannot be empty", nameof(tags));
        }

        InWriteTransactionOnRun(runId, () =>
        {
            foreach (var (key, value) in list)
            {
                _connection.Execute(
                    "INSERT INTO tags (run_id, key, value) VALUES (@id, @key, @value) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value;",
                    ("@id", runId), ("@key", key), ("@value", value ?? ""));
            }
        });
    }

    /// <inheritdoc />
    public int RemoveTags(string runId, IEnumerable<string> keys)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentNullException.ThrowIfNull(keys);
        var list = keys.ToList();
        var removed = 0;
        InWriteTransactionOnRun(runId, () =>
        {
            foreach (var key in list)
            {
                removed += _connection.Execute("DELETE FROM tags WHERE run_id = @id AND key = @key;", ("@id", runId), ("@key", key));
            }
        });
        return removed;
    }

    /// <inheritdoc />
    public void SetRunMessage(string runId, string message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentNullException.ThrowIfNull(message);
        InWriteTransactionOnRun(runId, () =>
        {
            if (_connection.Execute($"UPDATE runs SET message = @message WHERE id = @id AND status != '{RunStatusText.Running}';", ("@id", runId), ("@message", message)) == 0)
            {
                throw new RunNotFoundException(runId);
            }
        });
    }

    /// <summary>The result of SQLite's <c>PRAGMA integrity_check</c>: <c>ok</c> for a sound file, else the problems, one a line.</summary>
    public string IntegrityCheck() =>
        Locked(() => string.Join('\n', _connection.Query("PRAGMA integrity_check;", r => r.GetString(0))));

    /// <summary>Closes the store's connection. Recorders it started keep working.</summary>
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

    /// <summary>
    /// Opens the recorder's own connection first (so a run is never left without one), runs <paramref name="claim"/>
    /// in a write transaction, and hands the claimed run id to a new recorder. If anything fails, the run is not
    /// left marked live in this process.
    /// </summary>
    private RunRecorder WithRecorderConnection(Func<Action<string>, string> claim, bool resumed = false)
    {
        var writerConnection = SqliteErrors.Translated(() => SqliteConnections.Open(DatabasePath, _options.BusyTimeout), DatabasePath);
        string? live = null;
        try
        {
            var runId = Locked(() => _connection.InWriteTransaction(() => claim(id =>
            {
                live = id;
                LiveRuns.Add(id);
            })));

            // A resumed run does again the steps after its last checkpoint: the recorder replaces their rows.
            var recordedUpTo = resumed
                ? Locked(() => _connection.Query("SELECT key, step FROM latest_metrics WHERE run_id = @id;", r => (r.GetString(0), r.GetInt64(1)), ("@id", runId)))
                    .ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal)
                : null;
            return new RunRecorder(runId, new SqliteBatchSink(writerConnection, runId), _options, recordedUpTo);
        }
        catch
        {
            if (live is not null)
            {
                LiveRuns.Remove(live);
            }

            writerConnection.Dispose();
            throw;
        }
    }

    private void InWriteTransactionOnRun(string runId, Action work)
    {
        Locked(() =>
        {
            _connection.InWriteTransaction(() =>
            {
                if (!RunQueries.Exists(_connection, runId))
                {
                    throw new RunNotFoundException(runId);
                }

                work();
            });
        });
    }

    private long EnsureExperiment(string name, long now)
    {
        _connection.Execute(
            "INSERT INTO experiments (name, created) VALUES (@name, @now) ON CONFLICT (name) DO NOTHING;",
            ("@name", name), ("@now", now));
        return _connection.Scalar<long>("SELECT id FROM experiments WHERE name = @name;", ("@name", name));
    }

    /// <summary>A fresh id; checked under the write lock, so no other writer can take it meanwhile.</summary>
    private string NewUnusedId()
    {
        while (true)
        {
            var id = RunIds.New();
            if (_connection.Scalar<long>("SELECT count(*) FROM runs WHERE id = @id;", ("@id", id)) == 0)
            {
                return id;
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> on the store's connection, one caller at a time, with SQLite's errors translated.</summary>
    private T Locked<T>(Func<T> work)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return SqliteErrors.Translated(work, DatabasePath);
        }
    }

    private void Locked(Action work) => Locked(() =>
    {
        work();
        return true;
    });
}
