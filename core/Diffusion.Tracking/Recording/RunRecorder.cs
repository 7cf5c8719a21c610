namespace Diffusion.Tracking;

/// <summary>
/// Records one run, on any backend (the backend's <see cref="IBatchSink"/> writes). Logging only queues the value; a background thread writes batches every
/// <see cref="TrackingOptions.FlushInterval"/> and stamps the run's heartbeat. Safe to use from several threads.
/// End the run with <see cref="Complete"/>, <see cref="Fail"/> or <see cref="Kill"/>; disposing without them
/// writes what is queued and leaves the status as it is (readers will then report the run KILLED).
/// </summary>
internal sealed class RunRecorder : IRunRecorder
{
    private readonly BackgroundWriter _writer;
    private readonly IReadOnlyDictionary<string, long> _recordedUpTo;
    private readonly HashSet<(string Key, long Step)> _redone = [];
    private int _closed;

    /// <summary>Takes ownership of <paramref name="sink"/>.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="sink">The backend's writer.</param>
    /// <param name="options">Tracking options.</param>
    /// <param name="recordedUpTo">
    /// For a resumed run, the last step each metric key reached before: a step at or below it is being done again, and
    /// its old rows are replaced by the new ones (the first time it is logged again).
    /// </param>
    public RunRecorder(string runId, IBatchSink sink, TrackingOptions options, IReadOnlyDictionary<string, long>? recordedUpTo = null)
    {
        RunId = runId;
        _recordedUpTo = recordedUpTo ?? new Dictionary<string, long>();
        _writer = new BackgroundWriter(runId, sink, options);
    }

    /// <inheritdoc />
    public string RunId { get; }

    /// <inheritdoc />
    public void LogMetric(string key, double value, long step)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (_recordedUpTo.TryGetValue(key, out var upTo) && step <= upTo)
        {
            lock (_redone)
            {
                // Queued in order with the value, so the old rows go before the new one is written.
                if (_redone.Add((key, step)))
                {
                    Enqueue(new MetricRedoWrite(key, step));
                }

                Enqueue(new MetricWrite(key, value, step, UnixTime.NowMs()));
            }

            return;
        }

        Enqueue(new MetricWrite(key, value, step, UnixTime.NowMs()));
    }

    /// <inheritdoc />
    /// <remarks>Logging a key again replaces its value. See <see cref="LogParams"/> for how values are typed.</remarks>
    public void LogParam(string key, object value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        // Encoded now, on the caller's thread: a list changed after this call is recorded as it was.
        Enqueue(new ParamWrite(key, ParamEncoding.Encode(value)));
    }

    /// <inheritdoc />
    public void LogParams(IEnumerable<KeyValuePair<string, object>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var (key, value) in values)
        {
            LogParam(key, value);
        }
    }

    /// <inheritdoc />
    public void SetTag(string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        Enqueue(new TagWrite(key, value));
    }

    /// <inheritdoc />
    public void RecordArtifact(string relativePath, string kind, string sha256, long bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(relativePath);
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(sha256);
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (Path.IsPathRooted(relativePath))
        {
            throw new ArgumentException($"artifact path '{relativePath}' must be relative to the run's folder", nameof(relativePath));
        }

        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException($"'{sha256}' is not a SHA-256 (64 hex characters)", nameof(sha256));
        }

        var artifact = new ArtifactRecord(relativePath.Replace('\\', '/'), kind, sha256.ToLowerInvariant(), bytes);
        Enqueue(new ArtifactWrite(artifact, UnixTime.NowMs()));
    }

    /// <inheritdoc />
    public void Flush()
    {
        if (Volatile.Read(ref _closed) != 0)
        {
            return;
        }

        _writer.Flush();
        ThrowIfFaulted();
    }

    /// <inheritdoc />
    public void Complete() => Close(RunStatus.Completed, message: null);

    /// <inheritdoc />
    public void Fail(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Close(RunStatus.Failed, message);
    }

    /// <inheritdoc />
    public void Kill(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        Close(RunStatus.Killed, reason);
    }

    /// <summary>Writes what is queued and stops the heartbeat; the status stays as it is. Does not throw.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            Stop();
        }
    }

    private void Enqueue(PendingWrite write)
    {
        if (Volatile.Read(ref _closed) != 0)
        {
            throw new InvalidOperationException($"run {RunId} is closed; nothing more can be logged to it");
        }

        _writer.Enqueue(write);
    }

    private void Close(RunStatus status, string? message)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            throw new InvalidOperationException($"run {RunId} is already closed");
        }

        _writer.Enqueue(new StatusWrite(status, message, UnixTime.NowMs()));
        Stop();
        ThrowIfFaulted();
    }

    private void Stop()
    {
        _writer.Stop();
        LiveRuns.Remove(RunId);
    }

    private void ThrowIfFaulted()
    {
        if (_writer.TakeFault() is { } fault)
        {
            throw new InvalidOperationException($"some tracking writes of run {RunId} were lost: {fault.Message}", fault);
        }
    }
}
