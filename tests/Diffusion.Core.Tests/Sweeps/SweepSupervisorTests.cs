using Diffusion.Core.Sweeps;
using Diffusion.Tracking;

namespace Diffusion.Core.Tests.Sweeps;

/// <summary>
/// What the sweep supervisor decides when its workers are done (winner, outcome, the parent run's status, tags and
/// metrics), on a real SQLite store in a temp folder, with in-process fake workers that end trials as told; and
/// the launcher's refusal to resume a sweep for another pipeline file, which the CLI decided before.
/// </summary>
public sealed class SweepSupervisorTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly string _db;
    private readonly ITrackingStore _runs;
    private readonly ISweepStore _sweeps;

    public SweepSupervisorTests()
    {
        _db = Path.Combine(_temp.Path, "runs", "tracking.db");
        _runs = TrackingStores.Open(_db);
        _sweeps = TrackingStores.OpenSweeps(_db);
    }

    public void Dispose()
    {
        _sweeps.Dispose();
        _runs.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void When_minimizing_the_lowest_objective_wins_and_the_parent_run_is_tagged_with_it_and_completed()
    {
        var sweep = NewSweep(trials: 3);
        var started = new List<(int Number, string Log)>();
        var supervisor = new SweepSupervisor(sweep, _db, _temp.Path, (number, log) =>
        {
            started.Add((number, log));
            if (number == 1)
            {
                EndNext(sweep, TrialState.Completed, 0.5);
                EndNext(sweep, TrialState.Completed, 0.2);
                EndNext(sweep, TrialState.Completed, 0.4);
            }
            return new ExitedWorker();
        });
        var ended = new List<EndedTrial>();
        supervisor.TrialEnded += ended.Add;
        int? workers = null;
        supervisor.WorkersStarted += count => workers = count;

        var outcome = supervisor.Run(2, CancellationToken.None);

        Assert.Equal(2, workers);
        Assert.Equal([(1, Path.Combine(supervisor.LogFolder, "worker-1.log")), (2, Path.Combine(supervisor.LogFolder, "worker-2.log"))], started);
        Assert.True(Directory.Exists(supervisor.LogFolder));
        Assert.Equal(SweepOutcomeKind.Completed, outcome.Kind);
        Assert.Equal(1, outcome.Winner!.Number);
        Assert.Equal(["stages.train.lr=0.2"], outcome.WinnerPoint!.Overrides);
        Assert.Equal("3 of 3 trials ended: 3 completed, 0 pruned, 0 failed", outcome.Summary);
        Assert.Equal((RunStatus.Completed, null), (outcome.ParentStatus, outcome.ParentMessage));
        Assert.Equal(SweepState.Completed, outcome.Sweep.State);
        Assert.Equal([(0, true), (1, true), (2, false)], ended.Select(e => (e.Trial.Number, e.IsBestSoFar)));

        var parent = _runs.FindRun(sweep.Sweep.Definition.Id)!;
        Assert.Equal(RunStatus.Completed, parent.Run.Status);
        Assert.Contains(new TagValue("sweep.best_run", outcome.Winner.RunId!), parent.Tags);
        Assert.Contains(new TagValue("sweep.best_trial", "1"), parent.Tags);
        Assert.Equal("0.2", parent.Params.Single(p => p.Key == "best.stages.train.lr").Value.ToString());
        Assert.Equal([0.5, 0.2, 0.4], _runs.MetricHistory(parent.Run.Id, "trial/loss").Select(p => p.Value));
        Assert.Equal([(0L, 0.5), (1L, 0.2), (2L, 0.2)], _runs.MetricHistory(parent.Run.Id, "best/loss").Select(p => (p.Step, p.Value)));
    }

    [Fact]
    public void When_maximizing_the_highest_objective_wins()
    {
        var sweep = NewSweep(trials: 3, maximize: true);

        var (outcome, ended) = Supervise(sweep, () =>
        {
            EndNext(sweep, TrialState.Completed, 0.5);
            EndNext(sweep, TrialState.Completed, 0.9);
            EndNext(sweep, TrialState.Completed, 0.7);
        });

        Assert.Equal(SweepOutcomeKind.Completed, outcome.Kind);
        Assert.Equal(1, outcome.Winner!.Number);
        Assert.Equal([true, true, false], ended.Select(e => e.IsBestSoFar));
        Assert.Equal([0.5, 0.9, 0.9], _runs.MetricHistory(sweep.Sweep.Definition.Id, "best/loss").Select(p => p.Value));
    }

    [Fact]
    public void On_a_tie_the_lowest_numbered_trial_wins_and_the_later_one_is_not_best_so_far()
    {
        var sweep = NewSweep(trials: 3);

        var (outcome, ended) = Supervise(sweep, () =>
        {
            EndNext(sweep, TrialState.Completed, 0.5);
            EndNext(sweep, TrialState.Completed, 0.3);
            EndNext(sweep, TrialState.Completed, 0.3);
        });

        Assert.Equal(1, outcome.Winner!.Number);
        Assert.Equal([true, true, false], ended.Select(e => e.IsBestSoFar));
        Assert.Contains(new TagValue("sweep.best_trial", "1"), _runs.FindRun(sweep.Sweep.Definition.Id)!.Tags);
    }

    [Fact]
    public void Failed_and_pruned_trials_are_reported_and_counted_but_never_win()
    {
        var sweep = NewSweep(trials: 3);

        var (outcome, ended) = Supervise(sweep, () =>
        {
            EndNext(sweep, TrialState.Failed, message: "boom");
            EndNext(sweep, TrialState.Pruned, message: "pruned at step 2");
            EndNext(sweep, TrialState.Completed, 0.9);
        });

        Assert.Equal(SweepOutcomeKind.Completed, outcome.Kind);
        Assert.Equal(2, outcome.Winner!.Number);
        Assert.Equal("3 of 3 trials ended: 1 completed, 1 pruned, 1 failed", outcome.Summary);
        Assert.Equal([(TrialState.Failed, false), (TrialState.Pruned, false), (TrialState.Completed, true)], ended.Select(e => (e.Trial.State, e.IsBestSoFar)));
        Assert.Equal([0.9], _runs.MetricHistory(sweep.Sweep.Definition.Id, "trial/loss").Select(p => p.Value));
    }

    [Fact]
    public void A_sweep_whose_trials_all_failed_or_were_pruned_fails_its_parent_run_without_a_winner()
    {
        var sweep = NewSweep(trials: 2);

        var (outcome, _) = Supervise(sweep, () =>
        {
            EndNext(sweep, TrialState.Failed, message: "boom");
            EndNext(sweep, TrialState.Pruned, message: "pruned at step 2");
        });

        Assert.Equal(SweepOutcomeKind.NoTrialCompleted, outcome.Kind);
        Assert.Null(outcome.Winner);
        Assert.Equal(SweepState.Completed, outcome.Sweep.State);
        var parent = _runs.FindRun(sweep.Sweep.Definition.Id)!;
        Assert.Equal((RunStatus.Failed, "no trial completed (2 of 2 trials ended: 0 completed, 1 pruned, 1 failed)"), (parent.Run.Status, parent.Run.Message));
        Assert.Equal((RunStatus.Failed, parent.Run.Message), (outcome.ParentStatus, outcome.ParentMessage));
        Assert.DoesNotContain(parent.Tags, t => t.Key == "sweep.best_run");
    }

    [Fact]
    public void A_fail_fast_sweep_stopped_by_a_failed_trial_fails_its_parent_run_with_the_sweeps_message()
    {
        var sweep = NewSweep(trials: 2, failFast: true);

        var (outcome, _) = Supervise(sweep, () => EndNext(sweep, TrialState.Failed, message: "boom"));

        Assert.Equal(SweepOutcomeKind.Stopped, outcome.Kind);
        Assert.Equal(SweepState.Stopped, outcome.Sweep.State);
        Assert.NotNull(outcome.Sweep.Message);
        var parent = _runs.FindRun(sweep.Sweep.Definition.Id)!;
        Assert.Equal((RunStatus.Failed, outcome.Sweep.Message), (parent.Run.Status, parent.Run.Message));
        Assert.Equal("1 of 2 trials ended: 0 completed, 0 pruned, 1 failed", outcome.Summary);
    }

    [Fact]
    public void Workers_that_exit_with_trials_left_leave_the_parent_run_killed_and_the_sweep_resumable()
    {
        var sweep = NewSweep(trials: 2);

        var (outcome, _) = Supervise(sweep, () => EndNext(sweep, TrialState.Completed, 0.1));

        Assert.Equal(SweepOutcomeKind.Unfinished, outcome.Kind);
        Assert.Null(outcome.Winner);
        Assert.Equal(SweepState.Running, outcome.Sweep.State);
        var parent = _runs.FindRun(sweep.Sweep.Definition.Id)!;
        Assert.Equal(RunStatus.Killed, parent.Run.Status);
        Assert.StartsWith("the workers ended with trials left (1 of 2 trials ended: 1 completed, 0 pruned, 0 failed); see ", parent.Run.Message);
        Assert.Equal(parent.Run.Message, outcome.ParentMessage);
    }

    [Fact]
    public void An_interruption_is_passed_on_to_the_workers_and_leaves_the_parent_run_killed()
    {
        var sweep = NewSweep(trials: 2);
        string id = sweep.Sweep.Definition.Id;
        var worker = new RunningWorker(() => _sweeps.Finish(id, 0, "w", TrialState.Pending, null, "interrupted"));
        var supervisor = new SweepSupervisor(sweep, _db, _temp.Path, (_, _) =>
        {
            _sweeps.Claim(id, "w", null);
            return worker;
        });
        int interrupting = 0;
        supervisor.Interrupting += () => interrupting++;
        using var interruption = new CancellationTokenSource();
        interruption.Cancel();

        var outcome = supervisor.Run(1, interruption.Token);

        Assert.Equal(1, interrupting);
        Assert.True(worker.HasExited);
        Assert.Equal(SweepOutcomeKind.Interrupted, outcome.Kind);
        Assert.All(outcome.Trials, t => Assert.Equal(TrialState.Pending, t.State));
        var parent = _runs.FindRun(id)!;
        Assert.Equal((RunStatus.Killed, $"interrupted: 0 of 2 trials ended: 0 completed, 0 pruned, 0 failed; continue with diffusion sweep --resume {id}"),
            (parent.Run.Status, parent.Run.Message));
    }

    [Fact]
    public void After_a_resume_trials_that_ended_earlier_are_not_reported_again_but_count_for_the_best_so_far()
    {
        var sweep = NewSweep(trials: 2);
        EndNext(sweep, TrialState.Completed, 0.2);

        var (outcome, ended) = Supervise(sweep, () => EndNext(sweep, TrialState.Completed, 0.3));

        Assert.Equal([(1, false)], ended.Select(e => (e.Trial.Number, e.IsBestSoFar)));
        Assert.Equal(0, outcome.Winner!.Number);
        Assert.Equal([(1L, 0.2)], _runs.MetricHistory(sweep.Sweep.Definition.Id, "best/loss").Select(p => (p.Step, p.Value)));
    }

    [Fact]
    public void Resuming_a_sweep_for_another_pipeline_file_is_refused_and_closes_the_parent_run_again()
    {
        var sweep = NewSweep(trials: 1);
        string id = sweep.Sweep.Definition.Id;
        sweep.Parent.Kill("interrupted");

        var refused = Assert.Throws<InvalidOperationException>(() => SweepLauncher.Resume(_db, id[..6], "/tmp/other.yaml"));

        Assert.Equal($"sweep {id} runs /tmp/mini.yaml, not /tmp/other.yaml; leave FILE out to resume it", refused.Message);
        Assert.Equal((RunStatus.Killed, "not resumed: another pipeline file was named"), (_runs.FindRun(id)!.Run.Status, _runs.FindRun(id)!.Run.Message));
        var resumed = SweepLauncher.Resume(_db, id, "/tmp/mini.yaml");
        Assert.Equal(id, resumed.Sweep.Definition.Id);
        Assert.Equal(RunStatus.Running, _runs.FindRun(id)!.Run.Status);
        resumed.Parent.Kill("done");
    }

    /// <summary>Records a parent run and a grid sweep of <paramref name="trials"/> points <c>stages.train.lr=0.1, 0.2, ...</c>, objective <c>loss</c>.</summary>
    private LaunchedSweep NewSweep(int trials, bool maximize = false, bool failFast = false)
    {
        var parent = _runs.StartRun(new NewRun("mini sweep", "mini", 1, "/tmp/mini.yaml", "name: mini", "test"));
        var definition = new SweepDefinition(parent.RunId, "/tmp/mini.yaml", "name: mini", [], "grid", "loss", maximize, trials, failFast, TimeSpan.FromSeconds(30));
        _sweeps.Create(definition, Enumerable.Range(1, trials).Select(i => new TrialPoint([new("stages.train.lr", $"0.{i}")]).ToJson()));
        return new LaunchedSweep(_sweeps.Find(parent.RunId)!, parent);
    }

    /// <summary>What a worker does with the next trial: claims it, runs a child run, and ends the trial as <paramref name="state"/>.</summary>
    private void EndNext(LaunchedSweep sweep, TrialState state, double? value = null, string? message = null)
    {
        string id = sweep.Sweep.Definition.Id;
        var trial = _sweeps.Claim(id, "w", null).Trial!;
        using (var run = _runs.StartRun(new NewRun($"trial {trial.Number}", "mini", 1, "/tmp/mini.yaml", "name: mini", "test", id)))
        {
            Assert.True(_sweeps.AttachRun(id, trial.Number, "w", run.RunId));
            run.Complete();
        }
        Assert.True(_sweeps.Finish(id, trial.Number, "w", state, value, message));
    }

    /// <summary>Supervises <paramref name="sweep"/> with one worker that does <paramref name="work"/> as it starts and exits.</summary>
    private (SweepOutcome Outcome, List<EndedTrial> Ended) Supervise(LaunchedSweep sweep, Action work)
    {
        var supervisor = new SweepSupervisor(sweep, _db, _temp.Path, (_, _) =>
        {
            work();
            return new ExitedWorker();
        });
        var ended = new List<EndedTrial>();
        supervisor.TrialEnded += ended.Add;
        return (supervisor.Run(1, CancellationToken.None), ended);
    }

    /// <summary>A worker that did its work as it started and has exited.</summary>
    private sealed class ExitedWorker : ISweepWorkerProcess
    {
        public bool HasExited => true;

        public void Interrupt() => throw new InvalidOperationException("an exited worker is not interrupted");

        public void Dispose()
        {
        }
    }

    /// <summary>A worker that runs until it is interrupted, then does <paramref name="onInterrupt"/> and exits.</summary>
    private sealed class RunningWorker(Action onInterrupt) : ISweepWorkerProcess
    {
        public bool HasExited { get; private set; }

        public void Interrupt()
        {
            onInterrupt();
            HasExited = true;
        }

        public void Dispose()
        {
        }
    }
}
