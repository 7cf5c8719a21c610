using System.Globalization;
using Diffusion.Tracking;

namespace Diffusion.Core.Sweeps;

/// <summary>
/// Supervises a launched sweep until its workers are done: starts the workers, watches the trials end (logging
/// each objective value, and the best so far, to the parent run at the trial's number), passes an interruption
/// on to the workers, and then decides the <see cref="SweepOutcome"/>: it picks the winner, tags the parent run
/// with it (<c>sweep.best_run</c>, <c>sweep.best_trial</c>, <c>best.PATH</c> params) and closes the parent run.
/// </summary>
public sealed class SweepSupervisor
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    private readonly LaunchedSweep _launched;
    private readonly string _tracking;
    private readonly Func<int, string, ISweepWorkerProcess> _startWorker;

    /// <summary>Supervises <paramref name="launched"/>, whose workers run as <see cref="SweepWorkerProcess"/>es.</summary>
    /// <param name="launched">The sweep, just started or resumed.</param>
    /// <param name="tracking">The tracking location (see <see cref="TrackingStores.For"/>).</param>
    /// <param name="artifactRoot">The folder that holds run folders; the workers' logs go in <c>artifactRoot/SWEEP_ID/</c>.</param>
    public SweepSupervisor(LaunchedSweep launched, string tracking, string artifactRoot)
        : this(launched, tracking, artifactRoot, (number, log) => SweepWorkerProcess.Start(tracking, artifactRoot, launched.Sweep.Definition.Id, number, log))
    {
    }

    /// <summary>Supervises <paramref name="launched"/>, starting its workers with <paramref name="startWorker"/>.</summary>
    /// <param name="launched">The sweep, just started or resumed.</param>
    /// <param name="tracking">The tracking location (see <see cref="TrackingStores.For"/>).</param>
    /// <param name="artifactRoot">The folder that holds run folders; the workers' logs go in <c>artifactRoot/SWEEP_ID/</c>.</param>
    /// <param name="startWorker">Starts worker N (1, 2, ...) with its log file.</param>
    public SweepSupervisor(LaunchedSweep launched, string tracking, string artifactRoot, Func<int, string, ISweepWorkerProcess> startWorker)
    {
        _launched = launched;
        _tracking = tracking;
        _startWorker = startWorker;
        LogFolder = Path.Combine(artifactRoot, launched.Sweep.Definition.Id);
    }

    /// <summary>Where the workers' logs go (<c>worker-N.log</c>).</summary>
    public string LogFolder { get; }

    /// <summary>Raised once the workers are started, with their count.</summary>
    public event Action<int>? WorkersStarted;

    /// <summary>Raised for each trial that ends while the sweep is supervised, in the order they are seen.</summary>
    public event Action<EndedTrial>? TrialEnded;

    /// <summary>Raised once when an interruption is passed on to the workers.</summary>
    public event Action? Interrupting;

    /// <summary>
    /// Starts <paramref name="workers"/> workers, watches the trials until every worker exited, and closes the
    /// parent run with the outcome. When <paramref name="interruption"/> is signalled the workers are asked to stop
    /// (their trials go back to the queue) and the outcome is <see cref="SweepOutcomeKind.Interrupted"/>.
    /// </summary>
    public SweepOutcome Run(int workers, CancellationToken interruption)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        var definition = _launched.Sweep.Definition;
        using var sweeps = TrackingStores.OpenSweeps(_tracking);
        // Trials that ended before a resume were reported (and logged to the parent run) by the first supervisor;
        // they are read before any worker starts, so that every trial this supervisor's workers end is reported.
        var reported = sweeps.Trials(definition.Id).Where(t => t.State.HasEnded()).ToDictionary(t => t.Number, t => t.State);
        var earlier = sweeps.Trials(definition.Id).Where(t => t.State == TrialState.Completed && t.Value is not null).Select(t => t.Value!.Value).ToList();
        double? best = earlier.Count == 0 ? null : definition.Maximize ? earlier.Max() : earlier.Min();
        Directory.CreateDirectory(LogFolder);
        var processes = Enumerable.Range(1, workers).Select(k => _startWorker(k, Path.Combine(LogFolder, $"worker-{k}.log"))).ToList();
        WorkersStarted?.Invoke(workers);
        bool forwarded = false;
        while (true)
        {
            if (interruption.IsCancellationRequested && !forwarded)
            {
                forwarded = true;
                Interrupting?.Invoke();
                foreach (var process in processes) process.Interrupt();
            }
            bool running = processes.Any(w => !w.HasExited);
            foreach (var trial in sweeps.Trials(definition.Id))
            {
                if (reported.TryGetValue(trial.Number, out var state) && state == trial.State) continue;
                reported[trial.Number] = trial.State;
                if (trial.State.HasEnded()) best = Report(trial, best);
            }
            if (!running) break;
            Thread.Sleep(Poll);
        }
        foreach (var process in processes) process.Dispose();
        return Conclude(sweeps, interruption.IsCancellationRequested);
    }

    /// <summary>Logs a trial that ended to the parent run (its objective and the best so far, at its number) and raises <see cref="TrialEnded"/>.</summary>
    private double? Report(TrialRecord trial, double? best)
    {
        var definition = _launched.Sweep.Definition;
        bool better = false;
        if (trial.State == TrialState.Completed && trial.Value is { } value)
        {
            better = best is null || (definition.Maximize ? value > best : value < best);
            if (better) best = value;
            _launched.Parent.LogMetric($"trial/{definition.Objective}", value, trial.Number);
            _launched.Parent.LogMetric($"best/{definition.Objective}", best!.Value, trial.Number);
        }
        TrialEnded?.Invoke(new EndedTrial(trial, better));
        return best;
    }

    /// <summary>Decides how the sweep ended once its workers are done, and closes the parent run accordingly.</summary>
    private SweepOutcome Conclude(ISweepStore sweeps, bool interrupted)
    {
        var definition = _launched.Sweep.Definition;
        var parent = _launched.Parent;
        string id = definition.Id;
        var final = sweeps.Find(id)!;
        var trials = sweeps.Trials(id);
        string summary = $"{trials.Count(t => t.State.HasEnded())} of {definition.Budget} trials ended: " +
                         $"{trials.Count(t => t.State == TrialState.Completed)} completed, {trials.Count(t => t.State == TrialState.Pruned)} pruned, " +
                         $"{trials.Count(t => t.State == TrialState.Failed)} failed";
        SweepOutcome Ended(SweepOutcomeKind kind, RunStatus status, string? message, TrialRecord? winner = null, TrialPoint? point = null) =>
            new(kind, sweeps.Find(id)!, trials, summary, winner, point, status, message);

        if (interrupted)
        {
            string why = $"interrupted: {summary}; continue with diffusion sweep --resume {id}";
            parent.Kill(why);
            return Ended(SweepOutcomeKind.Interrupted, RunStatus.Killed, why);
        }
        if (final.State == SweepState.Stopped)
        {
            string why = final.Message ?? "stopped";
            parent.Fail(why);
            return Ended(SweepOutcomeKind.Stopped, RunStatus.Failed, why);
        }
        if (trials.Count < definition.Budget || trials.Any(t => t.State is TrialState.Pending or TrialState.Running))
        {
            string why = $"the workers ended with trials left ({summary}); see {Path.GetRelativePath(Environment.CurrentDirectory, LogFolder)}";
            parent.Kill(why);
            return Ended(SweepOutcomeKind.Unfinished, RunStatus.Killed, why);
        }

        sweeps.SetState(id, SweepState.Completed);
        var winner = trials.Where(t => t.State == TrialState.Completed && t.Value is not null)
            .OrderBy(t => definition.Maximize ? -t.Value!.Value : t.Value!.Value).FirstOrDefault();
        if (winner is null)
        {
            string why = $"no trial completed ({summary})";
            parent.Fail(why);
            return Ended(SweepOutcomeKind.NoTrialCompleted, RunStatus.Failed, why);
        }
        parent.SetTag("sweep.best_run", winner.RunId ?? "");
        parent.SetTag("sweep.best_trial", winner.Number.ToString(CultureInfo.InvariantCulture));
        var point = TrialPoint.FromJson(winner.Point);
        foreach (var (path, value) in point.Values) parent.LogParam($"best.{path}", value);
        parent.Complete();
        return Ended(SweepOutcomeKind.Completed, RunStatus.Completed, null, winner, point);
    }
}
