using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Diffusion.Tracking;

/// <summary>
/// The PostgreSQL run-tracking store: one database (or schema, by <c>search_path</c>) that processes on many machines
/// read and write at once. Each call takes a pooled connection, so a store is safe to use from several threads; each
/// recorder it starts writes through a connection of its own and keeps working after the store is disposed.
/// Npgsql's errors come out as <see cref="TrackingStoreException"/>s without the password.
/// </summary>
internal sealed class PostgresTrackingStore : ITrackingStore
{
    private const int AmbiguousMatchesShown = 20;

    private readonly PostgresLocation _location;
    private readonly NpgsqlDataSource _source;
    private readonly TrackingOptions _options;
    private int _disposed;

    private PostgresTrackingStore(PostgresLocation location, NpgsqlDataSource source, TrackingOptions options)
    {
        _location = location;
        _source = source;
        _options = options;
    }

    /// <inheritdoc />
    public string Location => _location.Shown;

    /// <summary>Connects and brings the schema up to date (once, under an advisory lock, however many processes open it at once).</summary>
    public static PostgresTrackingStore Open(PostgresLocation location, TrackingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var source = PostgresDataSources.For(location, options.ReadOnly);
        PostgresErrors.Translated(location, () =>
        {
            using var connection = source.OpenConnection();
            if (!options.ReadOnly)
            {
                PostgresSchemaMigrator.Migrate(connection, location.Shown);
                return;
            }

            var version = PostgresSchemaMigrator.CurrentVersion(connection, location.Shown);
            if (version != PostgresMigrations.Latest)
            {
                throw new TrackingStoreException(
                    $"the tracking database {location.Shown} has schema version {version}; this build reads {PostgresMigrations.Latest}: " +
                    "any writing command (e.g. 'diffusion runs list --db ...') creates or upgrades it");
            }
        });
        return new PostgresTrackingStore(location, source, options);
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
        return WithRecorderConnection((connection, registerLive) =>
        {
            var now = UnixTime.NowMs();
            if (run.ParentRunId is { } parent && !PostgresRunQueries.Exists(connection, parent))
            {
                throw new RunNotFoundException(parent);
            }

            connection.Execute(
                "INSERT INTO experiments (name, created) VALUES (@name, @now) ON CONFLICT (name) DO NOTHING;",
                ("name", run.Experiment), ("now", now));
            var experimentId = connection.Scalar<long>("SELECT id FROM experiments WHERE name = @name;", ("name", run.Experiment));
            var id = NewUnusedId(connection);
            registerLive(id);
            using var insert = connection.Command(
                $"""
                INSERT INTO runs (id, experiment_id, name, status, start_time, heartbeat, seed, pipeline_path, pipeline_text,
                                  pipeline_hash, code_version, host, pid, parent_run_id, artifact_root)
                VALUES (@id, @experiment, @name, '{RunStatusText.Running}', @now, @now, @seed, @path, @text,
                        @hash, @code, @host, @pid, @parent, @artifacts);
                """,
                ("id", id), ("experiment", experimentId), ("name", run.Name), ("now", now), ("seed", run.Seed),
                ("path", run.PipelinePath), ("text", run.PipelineText), ("hash", pipelineHash), ("code", run.CodeVersion),
                ("host", HostName.Current), ("pid", Environment.ProcessId), ("parent", run.ParentRunId), ("artifacts", run.ArtifactRoot));
            insert.ExecuteNonQuery();
            return id;
        });
    }

    /// <inheritdoc />
    public IRunRecorder ResumeRun(string runId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        return WithRecorderConnection((connection, registerLive) =>
        {
            var run = connection.Query(
                    "SELECT status, host, pid, coalesce(heartbeat, start_time) FROM runs WHERE id = @id AND deleted = 0 FOR UPDATE;",
                    r => (Status: r.GetString(0), Running: new RunningRun(runId, r.GetString(1), r.GetInt32(2), r.GetInt64(3))),
                    ("id", runId))
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
            connection.Execute(
                $"""
                UPDATE runs SET status = '{RunStatusText.Running}', end_time = NULL, message = NULL,
                                host = @host, pid = @pid, heartbeat = @now
                WHERE id = @id;
                """,
                ("id", runId), ("host", HostName.Current), ("pid", Environment.ProcessId), ("now", UnixTime.NowMs()));
            return runId;
        }, resumed: true);
    }

    /// <inheritdoc />
    public IReadOnlyList<RunSummary> ListRuns(int limit = 100, string? experiment = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return Use(connection =>
        {
            var dead = PostgresStaleRuns.Sweep(connection, _options);
            return dead.Report(PostgresRunQueries.List(connection, limit, experiment));
        });
    }

    /// <inheritdoc />
    public RunSearchResult SearchRuns(RunSearch search)
    {
        ArgumentNullException.ThrowIfNull(search);
        return Use(connection =>
        {
            var dead = PostgresStaleRuns.Sweep(connection, _options);
            return dead.Report(PostgresRunSearchQuery.Run(connection, search));
        });
    }

    /// <inheritdoc />
    public IReadOnlyList<RunValues> ExportRuns(RunSearch search)
    {
        ArgumentNullException.ThrowIfNull(search);
        return Use(connection =>
        {
            var dead = PostgresStaleRuns.Sweep(connection, _options);
            var runs = PostgresRunSearchQuery.Run(connection, search).Rows.Select(r => r.Run).ToList();
            return dead.Report(PostgresRunQueries.Values(connection, runs));
        });
    }

    /// <inheritdoc />
    public RunDetails? FindRun(string idOrUniquePrefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idOrUniquePrefix);
        var prefix = idOrUniquePrefix.Trim().ToLowerInvariant();
        return Use(connection =>
        {
            var dead = PostgresStaleRuns.Sweep(connection, _options);
            var matches = PostgresRunQueries.WithIdPrefix(connection, prefix, AmbiguousMatchesShown);
            return matches.Count switch
            {
                0 => null,
                1 => dead.Report(PostgresRunQueries.Details(connection, matches[0].Id)),
                _ => throw new AmbiguousRunIdException(prefix, dead.Report(matches)),
            };
        });
    }

    /// <inheritdoc />
    public IReadOnlyList<MetricPoint> MetricHistory(string runId, string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrEmpty(key);
        return Use(connection => PostgresRunQueries.MetricHistory(connection, runId, key));
    }

    /// <inheritdoc />
    public void DeleteRun(string runId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        Use(connection =>
        {
            if (connection.Execute("UPDATE runs SET deleted = 1 WHERE id = @id AND deleted = 0;", ("id", runId)) == 0)
            {
                throw new RunNotFoundException(runId);
            }

            return true;
        });
    }

    /// <inheritdoc />
    public string RestoreRun(string idOrUniquePrefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idOrUniquePrefix);
        var prefix = idOrUniquePrefix.Trim().ToLowerInvariant();
        return Use(connection =>
        {
            var matches = PostgresRunQueries.WithIdPrefix(connection, prefix, AmbiguousMatchesShown, deleted: true);
            switch (matches.Count)
            {
                case 0:
                    throw new RunNotFoundException(prefix);
                case > 1:
                    throw new AmbiguousRunIdException(prefix, matches);
            }

            connection.Execute("UPDATE runs SET deleted = 0 WHERE id = @id;", ("id", matches[0].Id));
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

        InTransactionOnRun(runId, connection =>
        {
            foreach (var (key, value) in list)
            {
                connection.Execute(
                    "INSERT INTO tags (run_id, key, value) VALUES (@id, @key, @value) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value;",
                    ("id", runId), ("key", key), ("value", value ?? ""));
            }

            return 0;
        });
    }

    /// <inheritdoc />
    public int RemoveTags(string runId, IEnumerable<string> keys)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentNullException.ThrowIfNull(keys);
        var list = keys.ToArray();
        return InTransactionOnRun(runId, connection =>
            connection.Execute("DELETE FROM tags WHERE run_id = @id AND key = ANY(@keys);", ("id", runId), ("keys", list)));
    }

    /// <inheritdoc />
    public void SetRunMessage(string runId, string message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentNullException.ThrowIfNull(message);
        InTransactionOnRun(runId, connection =>
            connection.Execute($"UPDATE runs SET message = @message WHERE id = @id AND status != '{RunStatusText.Running}';", ("id", runId), ("message", message)) == 0
                ? throw new RunNotFoundException(runId)
                : 0);
    }

    /// <summary>Marks the store closed; the pooled connections stay with the process's data source, recorders keep theirs.</summary>
    public void Dispose() => Interlocked.Exchange(ref _disposed, 1);

    private RunRecorder WithRecorderConnection(Func<NpgsqlConnection, Action<string>, string> claim, bool resumed = false)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var writer = PostgresErrors.Translated(_location, () => _source.OpenConnection());
        string? live = null;
        try
        {
            var runId = Use(connection => connection.InTransaction(() => claim(connection, id =>
            {
                live = id;
                LiveRuns.Add(id);
            })));
            // A resumed run does again the steps after its last checkpoint: the recorder replaces their rows.
            var recordedUpTo = resumed
                ? Use(connection => connection.Query("SELECT key, step FROM latest_metrics WHERE run_id = @id;", r => (r.GetString(0), r.GetInt64(1)), ("id", runId)))
                    .ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal)
                : null;
            return new RunRecorder(runId, new PostgresBatchSink(_source, writer, runId, _options.BusyTimeout), _options, recordedUpTo);
        }
        catch
        {
            if (live is not null)
            {
                LiveRuns.Remove(live);
            }

            writer.Dispose();
            throw;
        }
    }

    private T InTransactionOnRun<T>(string runId, Func<NpgsqlConnection, T> work) =>
        Use(connection => connection.InTransaction(() =>
        {
            if (!PostgresRunQueries.Exists(connection, runId))
            {
                throw new RunNotFoundException(runId);
            }

            return work(connection);
        }));

    private static string NewUnusedId(NpgsqlConnection connection)
    {
        while (true)
        {
            var id = RunIds.New();
            if (connection.Scalar<long>("SELECT count(*) FROM runs WHERE id = @id;", ("id", id)) == 0)
            {
                return id;
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> on a pooled connection, with Npgsql's errors translated.</summary>
    private T Use<T>(Func<NpgsqlConnection, T> work)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return PostgresErrors.Translated(_location, () =>
        {
            using var connection = _source.OpenConnection();
            return work(connection);
        });
    }
}
