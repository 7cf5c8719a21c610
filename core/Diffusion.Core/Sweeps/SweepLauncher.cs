using Diffusion.Core.Pipelines;
using Diffusion.Core.Runs;
using Diffusion.Tracking;

namespace Diffusion.Core.Sweeps;

/// <summary>Starts a new sweep (its parent run, its row, its planned trials) or takes up an interrupted one.</summary>
public static class SweepLauncher
{
    /// <summary>The tag every trial run carries with its sweep's id, and the one with its trial number.</summary>
    public const string SweepTag = "sweep.id", TrialTag = "sweep.trial";

    /// <summary>Records the parent run (RUNNING) and the sweep with its planned trials.</summary>
    /// <param name="pipeline">The bound pipeline; its <see cref="PipelineSpec.Sweep"/> must be set.</param>
    /// <param name="pipelineText">The pipeline file's text, which every trial loads.</param>
    /// <param name="overrides">The sweep's own <c>--set</c> overrides.</param>
    /// <param name="tracking">The tracking location (see <see cref="TrackingStores.For"/>).</param>
    /// <param name="failFast">Stop the sweep at the first failed trial.</param>
    /// <param name="staleAfter">A worker silent this long loses its trial to the queue.</param>
    public static LaunchedSweep Start(PipelineSpec pipeline, string pipelineText, IReadOnlyList<string> overrides, string tracking, bool failFast, TimeSpan staleAfter)
    {
        var sweep = pipeline.Sweep ?? throw new ArgumentException("the pipeline has no sweep: block", nameof(pipeline));
        using var store = TrackingStores.Open(tracking);
        var parent = store.StartRun(new NewRun($"{pipeline.Name} sweep", pipeline.Name, sweep.Seed, Path.GetFullPath(pipeline.FilePath), pipeline.ResolvedText, PipelineRunner.CodeVersion));
        try
        {
            parent.LogParam("sweep.method", sweep.Method.ToString().ToLowerInvariant());
            parent.LogParam("sweep.objective", sweep.Objective);
            parent.LogParam("sweep.direction", sweep.Maximize ? "maximize" : "minimize");
            parent.LogParam("sweep.trials", sweep.Trials);
            parent.LogParam("sweep.seed", sweep.Seed);
            foreach (var parameter in sweep.Parameters) parent.LogParam($"sweep.parameters.{parameter.Path}", parameter.Distribution.Describe());
            if (sweep.Pruner is { } pruner)
                parent.LogParam("sweep.pruner", $"median({pruner.Metric}, warmup_steps={pruner.WarmupSteps}, startup_trials={pruner.StartupTrials})");
            parent.SetTag("sweep.role", "parent");
            parent.Flush();

            var definition = new SweepDefinition(parent.RunId, Path.GetFullPath(pipeline.FilePath), pipelineText, overrides,
                sweep.Method.ToString().ToLowerInvariant(), sweep.Objective, sweep.Maximize, sweep.Trials, failFast, staleAfter);
            using var sweeps = TrackingStores.OpenSweeps(tracking);
            sweeps.Create(definition, SweepSampler.For(sweep).Planned().Select(p => p.ToJson()));
            return new LaunchedSweep(sweeps.Find(parent.RunId)!, parent);
        }
        catch (Exception e)
        {
            parent.Fail($"the sweep could not start: {e.Message}");
            throw;
        }
    }

    /// <summary>
    /// Takes up the sweep <paramref name="idOrPrefix"/> again: its parent run goes back to RUNNING in this process
    /// and a stopped sweep runs again. Finished trials stay; pending ones (and those of dead workers) will run.
    /// </summary>
    /// <param name="tracking">The tracking location (see <see cref="TrackingStores.For"/>).</param>
    /// <param name="idOrPrefix">The sweep's id (its parent run's id), or a prefix of it.</param>
    /// <param name="pipelinePath">The pipeline file the caller expects the sweep to run, or null to take the sweep's own.</param>
    /// <exception cref="RunNotFoundException">No sweep has this id.</exception>
    /// <exception cref="AmbiguousRunIdException">The prefix matches several runs.</exception>
    /// <exception cref="InvalidOperationException">
    /// The sweep is still being run by a live process, or it runs another file than <paramref name="pipelinePath"/>
    /// (its parent run is then closed KILLED: not resumed).
    /// </exception>
    public static LaunchedSweep Resume(string tracking, string idOrPrefix, string? pipelinePath = null)
    {
        using var store = TrackingStores.Open(tracking);
        using var sweeps = TrackingStores.OpenSweeps(tracking);
        var run = store.FindRun(idOrPrefix) ?? throw new RunNotFoundException(idOrPrefix);
        if (sweeps.Find(run.Run.Id) is null) throw new RunNotFoundException(idOrPrefix);
        var parent = store.ResumeRun(run.Run.Id);
        sweeps.SetState(run.Run.Id, SweepState.Running);
        var sweep = sweeps.Find(run.Run.Id)!;
        if (pipelinePath is not null && Path.GetFullPath(pipelinePath) != sweep.Definition.PipelinePath)
        {
            parent.Kill("not resumed: another pipeline file was named");
            throw new InvalidOperationException(
                $"sweep {sweep.Definition.Id} runs {sweep.Definition.PipelinePath}, not {Path.GetFullPath(pipelinePath)}; leave FILE out to resume it");
        }
        return new LaunchedSweep(sweep, parent);
    }
}
