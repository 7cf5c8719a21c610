using Diffusion.Abstractions.Runs;
using Diffusion.Core.Pipelines;
using Diffusion.Core.Plugins;
using Diffusion.Core.Runs;
using Diffusion.Tracking;
using Microsoft.Extensions.Logging;

namespace Diffusion.Core.Sweeps;

/// <summary>
/// One worker of a sweep: claims trials through the database until none is left, runs each as a pipeline
/// run (a child of the sweep's parent run) with the trial's point as <c>--set</c> overrides, heartbeats its
/// claim, lets the median pruner stop it early, and records how it ended. Several workers, in as many
/// processes, share one sweep.
/// </summary>
/// <param name="tracking">The tracking location (see <see cref="TrackingStores.For"/>).</param>
/// <param name="artifactRoot">The folder that holds run folders (each trial's run goes in <c>artifactRoot/RUN_ID/</c>).</param>
/// <param name="sweepId">The sweep (its parent run's id).</param>
/// <param name="workerId">Who this worker is in the trial rows (<c>host:pid:tag</c>).</param>
/// <param name="logger">Where the worker and its runs log.</param>
/// <param name="progress">How runs show progress.</param>
public sealed class SweepWorker(string tracking, string artifactRoot, string sweepId, string workerId, ILogger logger, IProgressReporter progress)
{
    /// <summary>How often a running trial's metrics are checked by the pruner.</summary>
    private static readonly TimeSpan PruneInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a worker waits before asking again when trials are running elsewhere.</summary>
    private static readonly TimeSpan WaitInterval = TimeSpan.FromSeconds(1);

    /// <summary>Runs trials until the sweep is finished or stopped (0), or <paramref name="cancellation"/> is signalled (130).</summary>
    /// <exception cref="PipelineValidationException">The sweep's pipeline no longer validates.</exception>
    public int Run(CancellationToken cancellation)
    {
        using var sweeps = TrackingStores.OpenSweeps(tracking);
        using var runs = TrackingStores.Open(tracking);
        var sweep = sweeps.Find(sweepId) ?? throw new RunNotFoundException(sweepId);
        var definition = sweep.Definition;
        var document = PipelineLoader.LoadText(definition.PipelineText, definition.PipelinePath, definition.Overrides);
        var catalog = PluginDiscovery.Discover(PluginSource.Defaults(document.PluginFolders));
        var spec = PipelineBinder.Bind(document, catalog).Sweep
                   ?? throw new InvalidOperationException($"the pipeline of sweep {sweepId} has no sweep: block");
        var sampler = SweepSampler.For(spec);
        Func<IReadOnlyList<TrialRecord>, int, string>? propose = spec.Method == SweepMethod.Tpe
            ? (history, number) => sampler.Propose(number, Completed(history)).ToJson()
            : null;

        while (!cancellation.IsCancellationRequested)
        {
            var claim = sweeps.Claim(sweepId, workerId, propose);
            switch (claim.Outcome)
            {
                case ClaimOutcome.Finished or ClaimOutcome.Stopped:
                    return 0;
                case ClaimOutcome.Wait:
                    cancellation.WaitHandle.WaitOne(WaitInterval);
                    continue;
            }

            if (!RunTrial(claim.Trial!, definition, spec, catalog, sweeps, runs, cancellation))
                return 130;
        }
        return 130;
    }

    /// <summary>Runs one trial; false when the worker itself was interrupted (the trial then went back to the queue).</summary>
    private bool RunTrial(TrialRecord trial, SweepDefinition definition, SweepSpec sweep, PluginCatalog catalog, ISweepStore sweeps, ITrackingStore runs,
        CancellationToken cancellation)
    {
        var point = TrialPoint.FromJson(trial.Point);
        logger.LogInformation("trial {Number} (attempt {Attempt}): {Point}", trial.Number, trial.Attempts, point.Describe());
        PipelineSpec pipeline;
        try
        {
            pipeline = PipelineBinder.Bind(PipelineLoader.LoadText(definition.PipelineText, definition.PipelinePath, [.. definition.Overrides, .. point.Overrides]), catalog);
        }
        catch (PipelineValidationException e)
        {
            sweeps.Finish(sweepId, trial.Number, workerId, TrialState.Failed, null, $"the point does not validate: {e.Errors[0]}");
            return true;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        string? runId = null;
        string? why = null;
        void Stop(string reason)
        {
            Interlocked.CompareExchange(ref why, reason, null);
            stop.Cancel();
        }

        var runner = new PipelineRunner(logger, progress);
        runner.Started += (id, _) =>
        {
            Volatile.Write(ref runId, id);
            if (!sweeps.AttachRun(sweepId, trial.Number, workerId, id)) Stop(Lost);
            runs.SetTags(id, [new(SweepLauncher.SweepTag, sweepId), new(SweepLauncher.TrialTag, trial.Number.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        };
        var watch = new Timer(_ => Watch(), null, TimeSpan.Zero, Interval(definition));
        RunResult result;
        try
        {
            result = runner.Run(new RunRequest(pipeline, tracking, artifactRoot) { ParentRunId = sweepId }, stop.Token);
        }
        finally
        {
            // Wait for a tick in progress, so nothing is said about this trial after it ended.
            using var stopped = new ManualResetEvent(false);
            if (watch.Dispose(stopped)) stopped.WaitOne();
        }

        switch (result.Status)
        {
            case RunStatus.Completed:
                var objective = runs.FindRun(result.RunId)?.Metrics.FirstOrDefault(m => m.Key == sweep.Objective);
                if (objective is null || double.IsNaN(objective.Last))
                {
                    var known = string.Join(", ", runs.FindRun(result.RunId)?.Metrics.Select(m => m.Key) ?? []);
                    Finish(sweeps, trial, TrialState.Failed, null, objective is null
                        ? $"the objective metric '{sweep.Objective}' was not logged (the run logged: {known})"
                        : $"the objective metric '{sweep.Objective}' is NaN");
                }
                else
                {
                    Finish(sweeps, trial, TrialState.Completed, objective.Last, null);
                }
                return true;
            case RunStatus.Killed when why == Lost:
                logger.LogWarning("trial {Number} was taken back (this worker was silent too long); its run {Run} is abandoned", trial.Number, result.RunId);
                return true;
            case RunStatus.Killed when why == SweepStopped:
                runs.SetRunMessage(result.RunId, "stopped: the sweep was stopped");
                Finish(sweeps, trial, TrialState.Pending, null, "interrupted: the sweep was stopped; it runs again when the sweep is resumed");
                return true;
            case RunStatus.Killed when why is not null:
                runs.SetRunMessage(result.RunId, why);
                Finish(sweeps, trial, TrialState.Pruned, null, why);
                return true;
            case RunStatus.Killed:
                runs.SetRunMessage(result.RunId, "interrupted: the sweep worker was stopped; the trial went back to the queue");
                Finish(sweeps, trial, TrialState.Pending, null, "interrupted: its worker was stopped; re-queued");
                return false;
            default:
                Finish(sweeps, trial, TrialState.Failed, null, result.Message);
                return true;
        }

        // Heartbeat the claim, and ask the pruner about the run so far; each stop says why.
        void Watch()
        {
            try
            {
                switch (sweeps.Heartbeat(sweepId, trial.Number, workerId))
                {
                    case HeartbeatOutcome.Lost:
                        Stop(Lost);
                        return;
                    case HeartbeatOutcome.SweepStopped:
                        Stop(SweepStopped);
                        return;
                }
                if (sweep.Pruner is { } pruner && Volatile.Read(ref runId) is { } id &&
                    MedianPruner.ShouldPrune(pruner, History(runs, id, pruner.Metric), CompletedHistories(sweeps, runs, pruner.Metric)) is { } reason)
                    Stop(reason);
            }
            catch (Exception e) when (e is TrackingStoreException or InvalidOperationException)
            {
                // A busy database delays a heartbeat; the next tick tries again.
                logger.LogDebug("sweep heartbeat skipped: {Message}", e.Message);
            }
        }
    }

    private const string Lost = "lost", SweepStopped = "sweep stopped";

    private readonly Dictionary<string, IReadOnlyList<(long Step, double Value)>> _completedHistories = [];

    private void Finish(ISweepStore sweeps, TrialRecord trial, TrialState state, double? value, string? message)
    {
        if (!sweeps.Finish(sweepId, trial.Number, workerId, state, value, message))
            logger.LogWarning("trial {Number} was taken back from this worker before it ended; its result is not recorded", trial.Number);
        else
            logger.LogInformation("trial {Number} {State}{Value}{Message}", trial.Number, state.ToString().ToUpperInvariant(),
                value is { } v ? $": {v}" : "", message is null ? "" : $" ({message})");
    }

    private static IReadOnlyList<(long Step, double Value)> History(ITrackingStore runs, string runId, string metric) =>
        runs.MetricHistory(runId, metric).Select(p => (p.Step, p.Value)).ToList();

    /// <summary>The metric's values in every completed trial (a completed run's values never change, so they are read once).</summary>
    private List<IReadOnlyList<(long Step, double Value)>> CompletedHistories(ISweepStore sweeps, ITrackingStore runs, string metric)
    {
        var histories = new List<IReadOnlyList<(long Step, double Value)>>();
        foreach (var trial in sweeps.Trials(sweepId).Where(t => t.State == TrialState.Completed && t.RunId is not null))
        {
            lock (_completedHistories)
            {
                if (!_completedHistories.TryGetValue(trial.RunId!, out var history))
                    _completedHistories[trial.RunId!] = history = History(runs, trial.RunId!, metric);
                histories.Add(history);
            }
        }
        return histories;
    }

    private static List<FinishedTrial> Completed(IReadOnlyList<TrialRecord> trials) =>
        trials.Where(t => t.State == TrialState.Completed && t.Value is not null).Select(t => new FinishedTrial(TrialPoint.FromJson(t.Point), t.Value!.Value)).ToList();

    /// <summary>A beat well inside the stale limit (a sixth of it), checking the pruner as often as <see cref="PruneInterval"/>.</summary>
    private static TimeSpan Interval(SweepDefinition definition)
    {
        var beat = definition.StaleAfter / 6;
        return beat < PruneInterval ? beat : PruneInterval;
    }
}
