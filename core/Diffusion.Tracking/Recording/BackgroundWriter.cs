using System.Collections.Concurrent;
using System.Diagnostics;

namespace Diffusion.Tracking;

/// <summary>
/// One thread with its own connection (an <see cref="IBatchSink"/> of the backend) that writes a run's queued values in
/// batches, one short transaction per batch, and stamps the run's heartbeat. Callers only enqueue, so a training loop
/// never waits for the database.
/// </summary>
internal sealed class BackgroundWriter
{
    private readonly ConcurrentQueue<PendingWrite> _queue = new();
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly IBatchSink _sink;
    private readonly TrackingOptions _options;
    private readonly Thread _thread;
    private readonly Lock _stopGate = new();
    private int _queued;
    private volatile bool _stopping;
    private Exception? _fault;
    private long _lastHeartbeat = Stopwatch.GetTimestamp();

    /// <summary>Takes ownership of <paramref name="sink"/> and starts writing.</summary>
    public BackgroundWriter(string runId, IBatchSink sink, TrackingOptions options)
    {
        _sink = sink;
        _options = options;
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
        // _wake is not disposed: a LogMetric racing with Stop may still Set it (it holds no kernel handle).
        _sink.Dispose();
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
    /// The sink's own waits (SQLite's busy timeout) come first; this outer loop covers a database that stays busy
    /// or unreachable longer, e.g. many processes writing at once, until <see cref="TrackingOptions.WriteRetryLimit"/>.
    /// </summary>
    private void WriteWithRetry(List<PendingWrite> batch, bool heartbeat)
    {
        var started = Stopwatch.GetTimestamp();
        var pause = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            try
            {
                _sink.Write(batch, heartbeat ? UnixTime.NowMs() : null);
                return;
            }
            catch (Exception e) when (_sink.IsTransient(e) && Stopwatch.GetElapsedTime(started) < _options.WriteRetryLimit)
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
