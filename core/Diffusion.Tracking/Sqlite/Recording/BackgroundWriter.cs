using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Diffusion.Tracking;

/// <summary>
/// One thread with its own connection that writes a run's queued values in batches, one short transaction per
/// batch, and stamps the run's heartbeat. Callers only enqueue, so a training loop never waits for the disk.
/// </summary>
internal sealed class BackgroundWriter
{
    private readonly ConcurrentQueue<PendingWrite> _queue = new();
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly SqliteConnection _connection;
    private readonly WriterStatements _statements;
    private readonly TrackingOptions _options;
    private readonly Thread _thread;
    private readonly Lock _stopGate = new();
    private int _queued;
    private volatile bool _stopping;
    private Exception? _fault;
    private long _lastHeartbeat = Stopwatch.GetTimestamp();

    /// <summary>Takes ownership of <paramref name="connection"/> and starts writing.</summary>
    public BackgroundWriter(string runId, SqliteConnection connection, TrackingOptions options)
    {
        _connection = connection;
        _options = options;
        _statements = new WriterStatements(connection, runId);
        // A background thread: a process that exits without closing its run is not held up; the run is then
        // reported KILLED by the next reader.
        _thread = new Thread(Run) { IsBackground = true, Name = $"tracking writer {runId}" };
        _thread.Start();
    }

    public void Enqueue(PendingWrite write)
    {
        _queue.Enqueue(write);
        if (Interlocked.Increment(ref _queued) >= _options.MaxBatchSize)
        {
            _wake.Set();
        }
    }

    /// <summary>Blocks until everything enqueued so far is committed; returns at once once stopped.</summary>
    public void Flush()
    {
        var marker = new FlushMarker();
        // Under the gate, so a marker is never queued after the writer's last look at the queue.
        lock (_stopGate)
        {
            if (_stopping)
            {
                return;
            }

            _queue.Enqueue(marker);
            Interlocked.Increment(ref _queued);
            _wake.Set();
        }

        marker.Wait();
    }

    /// <summary>Writes what is left, ends the thread and closes the connection. Call once.</summary>
    public void Stop()
    {
        lock (_stopGate)
        {
            _stopping = true;
            _wake.Set();
        }

        _thread.Join();
        _statements.Dispose();
        // _wake is not disposed: a LogMetric racing with Stop may still Set it (it holds no kernel handle).
        _connection.Dispose();
    }

    /// <summary>The first write failure since the last call, if any (its batch was dropped).</summary>
    public Exception? TakeFault() => Interlocked.Exchange(ref _fault, null);

    private void Run()
    {
        var batch = new List<PendingWrite>(_options.MaxBatchSize);
        while (true)
        {
            _wake.Wait(UntilHeartbeatOrFlush());
            _wake.Reset();
            var stopping = _stopping;
            do
            {
                batch.Clear();
                while (batch.Count < _options.MaxBatchSize && _queue.TryDequeue(out var write))
                {
                    batch.Add(write);
                }

                Interlocked.Add(ref _queued, -batch.Count);
                Write(batch, heartbeat: !stopping && HeartbeatDue());
            }
            while (batch.Count == _options.MaxBatchSize);

            if (stopping)
            {
                return;
            }
        }
    }

    private void Write(List<PendingWrite> batch, bool heartbeat)
    {
        try
        {
            if (heartbeat || batch.Exists(w => w is not FlushMarker))
            {
                WriteWithRetry(batch, heartbeat);
            }
        }
        catch (Exception e)
        {
            // Dropped, not fatal: training goes on; Flush, Complete, Fail and Kill report it.
            Interlocked.CompareExchange(ref _fault, e, null);
        }
        finally
        {
            if (heartbeat)
            {
                _lastHeartbeat = Stopwatch.GetTimestamp();
            }

            foreach (var marker in batch.OfType<FlushMarker>())
            {
                marker.Release();
            }
        }
    }

    /// <summary>
    /// The busy timeout already waits inside SQLite; this outer loop covers a database that stays busy longer,
    /// e.g. many processes writing at once, until <see cref="TrackingOptions.WriteRetryLimit"/>.
    /// </summary>
    private void WriteWithRetry(List<PendingWrite> batch, bool heartbeat)
    {
        var started = Stopwatch.GetTimestamp();
        var pause = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            try
            {
                _connection.InWriteTransaction(() =>
                {
                    if (heartbeat)
                    {
                        _statements.Heartbeat(UnixTime.NowMs());
                    }

                    _statements.BeginBatch();
                    foreach (var write in batch)
                    {
                        write.Apply(_statements);
                    }

                    _statements.EndBatch();
                });
                return;
            }
            catch (SqliteException e) when (e.IsBusy() && Stopwatch.GetElapsedTime(started) < _options.WriteRetryLimit)
            {
                Thread.Sleep(pause);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.TicksPerSecond));
            }
        }
    }

    private bool HeartbeatDue() => Stopwatch.GetElapsedTime(_lastHeartbeat) >= _options.HeartbeatInterval;

    private TimeSpan UntilHeartbeatOrFlush()
    {
        var untilHeartbeat = _options.HeartbeatInterval - Stopwatch.GetElapsedTime(_lastHeartbeat);
        var wait = untilHeartbeat < _options.FlushInterval ? untilHeartbeat : _options.FlushInterval;
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }
}
