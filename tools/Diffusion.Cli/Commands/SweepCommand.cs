using System.CommandLine;
using System.Runtime.InteropServices;
using Diffusion.Core.Pipelines;
using Diffusion.Core.Sweeps;
using Diffusion.Tracking;

namespace Diffusion.Cli.Commands;

/// <summary>
/// <c>diffusion sweep FILE [--set ...] [--workers N] [--resume SWEEP_ID] [--fail-fast] [--stale-after SECONDS]</c>:
/// runs the pipeline's <c>sweep:</c> block. The sweep is a parent run; its trials are child runs, run by N worker
/// processes (this program in worker mode) that claim trials through the database. The command parses its
/// options and prints; <see cref="SweepLauncher"/> starts or resumes the sweep and <see cref="SweepSupervisor"/>
/// runs the workers, logs the objective to the parent run, picks the winner and closes the parent run.
/// Exit 0 when the sweep completed with at least one completed trial, 1 when it failed or stopped (--fail-fast),
/// 2 for invalid input, 130 when interrupted (resume it with --resume).
/// </summary>
internal static class SweepCommand
{
    public static Command Create()
    {
        var file = new Argument<string?>("file") { Description = "The pipeline YAML file with a sweep: block (optional with --resume).", Arity = ArgumentArity.ZeroOrOne };
        var set = PipelineOptions.Set();
        var workers = new Option<int>("--workers") { Description = "Worker processes running trials at once (default 1).", DefaultValueFactory = _ => 1 };
        var resume = CommandLine.Ids(new Option<string?>("--resume") { Description = "Continue the sweep SWEEP_ID (its parent run id; a prefix is enough)." });
        var failFast = new Option<bool>("--fail-fast") { Description = "Stop the sweep at the first failed trial (running trials go back to the queue)." };
        var staleAfter = new Option<double>("--stale-after")
        {
            Description = "Seconds without a heartbeat after which a worker's trial goes back to the queue (default 30).",
            DefaultValueFactory = _ => 30,
        };
        var command = new Command("sweep", "Run a pipeline's hyperparameter sweep with worker processes; see docs/tracking.md#sweeps.")
        {
            file, set, workers, resume, failFast, staleAfter,
        };
        command.SetAction(result =>
        {
            int count = result.GetValue(workers);
            double stale = result.GetValue(staleAfter);
            if (count is < 1 or > 256 || !(stale >= 1))
            {
                Console.Error.WriteLine("error: --workers must be 1..256 and --stale-after at least 1 second");
                return CommandLine.InvalidInput;
            }
            if (!CommandLine.KernelModeIsValid() || CommandLine.Tracking(result) is not { } tracking) return CommandLine.InvalidInput;
            var launched = result.GetValue(resume) is { } id
                ? Resume(tracking, id, result.GetValue(file))
                : Start(tracking.Location, result.GetValue(file), result.GetValue(set) ?? [], result.GetValue(failFast), TimeSpan.FromSeconds(stale));
            return launched is null ? CommandLine.InvalidInput : Supervise(launched, tracking, CommandLine.ArtifactRoot(result), count);
        });
        command.Subcommands.Add(CreateJoin());
        return command;
    }

    /// <summary>
    /// <c>diffusion sweep join SWEEP_ID --workers M</c>: adds M workers on this machine to a sweep that runs elsewhere
    /// (the same <c>--db</c>, a PostgreSQL server for machines that share nothing else). They claim trials like the
    /// sweep's own workers; the machine that started the sweep still logs the trials to the parent run and concludes it.
    /// Exit 0 when the workers ran out of trials, 1 when a worker failed, 2 for a bad id, 130 when interrupted.
    /// </summary>
    private static Command CreateJoin()
    {
        var id = CommandLine.Ids(new Argument<string>("sweep-id") { Description = "The sweep to join (its parent run's id; a prefix is enough)." });
        var workers = new Option<int>("--workers") { Description = "Worker processes on this machine (default 1).", DefaultValueFactory = _ => 1 };
        var command = new Command("join", "Add workers on this machine to a running sweep (with the sweep's --db, e.g. a postgresql:// URI).") { id, workers };
        command.SetAction(result =>
        {
            int count = result.GetValue(workers);
            if (count is < 1 or > 256)
            {
                Console.Error.WriteLine("error: --workers must be 1..256");
                return CommandLine.InvalidInput;
            }
            if (!CommandLine.KernelModeIsValid() || CommandLine.Tracking(result) is not { } tracking) return CommandLine.InvalidInput;
            string prefix = result.GetValue(id)!;
            SweepRecord? sweep = null;
            if (tracking.Exists)
            {
                using var runs = tracking.Open();
                using var sweeps = tracking.OpenSweeps();
                try
                {
                    if (runs.FindRun(prefix) is { } parent) sweep = sweeps.Find(parent.Run.Id);
                }
                catch (AmbiguousRunIdException e)
                {
                    Console.Error.WriteLine($"error: {e.Message}");
                    return CommandLine.InvalidInput;
                }
            }
            if (sweep is null)
            {
                Console.Error.WriteLine($"error: no sweep '{prefix}' in {tracking.Location}; 'diffusion runs list --filter \"tags.sweep.role = 'parent'\"' lists them");
                return CommandLine.InvalidInput;
            }
            if (sweep.State != SweepState.Running)
            {
                Console.Error.WriteLine($"error: sweep {sweep.Definition.Id} is {sweep.State.ToString().ToUpperInvariant()}: nothing to join (continue a stopped sweep with diffusion sweep --resume {sweep.Definition.Id})");
                return 1;
            }
            return Join(tracking, sweep.Definition, CommandLine.ArtifactRoot(result), count);
        });
        return command;
    }

    /// <summary>Runs <paramref name="count"/> workers of this machine on the sweep until they run out of trials, printing trials as they end.</summary>
    private static int Join(ITrackingBackend tracking, SweepDefinition definition, string artifacts, int count)
    {
        using var interrupted = new CancellationTokenSource();
        using var signals = CancelOnInterrupt(interrupted);
        string folder = Path.Combine(artifacts, definition.Id);
        Directory.CreateDirectory(folder);
        string host = HostName.Current;
        var processes = Enumerable.Range(1, count)
            .Select(k => SweepWorkerProcess.Start(tracking.Location, artifacts, definition.Id, k, Path.Combine(folder, $"worker-{host}-{k}.log")))
            .ToList();
        Console.WriteLine($"joined sweep {definition.Id} with {count} worker{(count == 1 ? "" : "s")} on {host}; logs in {Path.GetRelativePath(Environment.CurrentDirectory, folder)}");
        using var sweeps = tracking.OpenSweeps();
        var seen = sweeps.Trials(definition.Id).Where(t => t.State.HasEnded()).Select(t => t.Number).ToHashSet();
        bool forwarded = false;
        while (true)
        {
            if (interrupted.IsCancellationRequested && !forwarded)
            {
                forwarded = true;
                foreach (var process in processes) process.Interrupt();
            }
            bool running = processes.Any(p => !p.HasExited);
            foreach (var trial in sweeps.Trials(definition.Id).Where(t => t.State.HasEnded() && seen.Add(t.Number)))
                Print(definition, new EndedTrial(trial, false));
            if (!running) break;
            Thread.Sleep(500);
        }
        foreach (var process in processes) process.Dispose();
        if (forwarded) return 130;
        var trials = sweeps.Trials(definition.Id);
        Console.WriteLine($"workers on {host} done: {trials.Count(t => t.State.HasEnded())} of {definition.Budget} trials of sweep {definition.Id} ended");
        return 0;
    }

    /// <summary>The hidden <c>sweep-worker SWEEP_ID</c> command the sweep starts N times.</summary>
    public static Command CreateWorker()
    {
        var id = CommandLine.Ids(new Argument<string>("sweep-id"));
        var tag = new Option<string>("--tag") { DefaultValueFactory = _ => "1" };
        var command = new Command(SweepWorkerProcess.Command, "Run trials of a sweep (started by diffusion sweep).") { id, tag };
        command.Hidden = true;
        command.SetAction(result =>
        {
            using var cancellation = new CancellationTokenSource();
            using var signals = CancelOnInterrupt(cancellation);
            if (CommandLine.Tracking(result) is not { } tracking) return CommandLine.InvalidInput;
            string worker = $"{HostName.Current}:{Environment.ProcessId}:{result.GetValue(tag)}";
            var progress = Core.Runs.ConsoleProgress.ForStandardError();
            var logger = new Core.Runs.ConsoleLogger(progress);
            try
            {
                return new SweepWorker(tracking.Location, CommandLine.ArtifactRoot(result), result.GetValue(id)!, worker, logger, progress)
                    .Run(cancellation.Token);
            }
            catch (PipelineValidationException e)
            {
                foreach (var error in e.Errors) Console.Error.WriteLine(error);
                return CommandLine.InvalidInput;
            }
        });
        return command;
    }

    private static LaunchedSweep? Start(string db, string? file, string[] overrides, bool failFast, TimeSpan staleAfter)
    {
        if (file is null)
        {
            Console.Error.WriteLine("error: name the pipeline file (diffusion sweep FILE), or continue a sweep with --resume SWEEP_ID");
            return null;
        }
        var (spec, catalog) = PipelineOptions.Load(file, overrides);
        if (spec is null || catalog is null) return null;
        if (spec.Sweep is not { } sweep)
        {
            Console.Error.WriteLine($"error: {file} has no sweep: block; see docs/tracking.md#sweeps (diffusion run runs a pipeline once)");
            return null;
        }
        string text = File.ReadAllText(file);
        var problems = SweepValidation.Check(text, file, overrides, sweep, catalog);
        if (problems.Count > 0)
        {
            foreach (var problem in problems) Console.Error.WriteLine(problem);
            Console.Error.WriteLine($"{problems.Count} error{(problems.Count == 1 ? "" : "s")} in {file}.");
            return null;
        }
        var launched = SweepLauncher.Start(spec, text, overrides, db, failFast, staleAfter);
        Console.WriteLine($"sweep {launched.Sweep.Definition.Id} started: {sweep.Method.ToString().ToLowerInvariant()}, {sweep.Trials} trials, " +
                          $"{(sweep.Maximize ? "maximize" : "minimize")} {sweep.Objective}{(sweep.Pruner is null ? "" : $", median pruner on {sweep.Pruner.Metric}")}");
        return launched;
    }

    private static LaunchedSweep? Resume(ITrackingBackend tracking, string id, string? file)
    {
        if (!tracking.Exists)
        {
            Console.Error.WriteLine($"error: {tracking.Location} does not exist: no sweeps recorded there (pass --db PATH)");
            return null;
        }
        try
        {
            var launched = SweepLauncher.Resume(tracking.Location, id, file);
            using var sweeps = tracking.OpenSweeps();
            int done = sweeps.Trials(launched.Sweep.Definition.Id).Count(t => t.State.HasEnded());
            Console.WriteLine($"sweep {launched.Sweep.Definition.Id} resumed: {done} of {launched.Sweep.Definition.Budget} trials already ended");
            return launched;
        }
        catch (Exception e) when (e is RunNotFoundException or AmbiguousRunIdException or InvalidOperationException)
        {
            Console.Error.WriteLine(e is RunNotFoundException ? $"error: no sweep '{id}' in {tracking.Location}; 'diffusion runs list --filter \"tags.sweep.role = 'parent'\"' lists them" : $"error: {e.Message}");
            return null;
        }
    }

    /// <summary>Supervises the sweep in Core, printing each trial as it ends and the outcome; returns the exit code.</summary>
    private static int Supervise(LaunchedSweep launched, ITrackingBackend tracking, string artifacts, int count)
    {
        var definition = launched.Sweep.Definition;
        string id = definition.Id;
        using var interrupted = new CancellationTokenSource();
        using var signals = CancelOnInterrupt(interrupted);
        var supervisor = new SweepSupervisor(launched, tracking.Location, artifacts);
        string logs = Path.GetRelativePath(Environment.CurrentDirectory, supervisor.LogFolder);
        supervisor.WorkersStarted += workers => Console.WriteLine($"{workers} worker{(workers == 1 ? "" : "s")}; logs in {logs}");
        supervisor.Interrupting += () => Console.Error.WriteLine("interrupting: workers put their trials back in the queue (resume with --resume)");
        supervisor.TrialEnded += ended => Print(definition, ended);

        var outcome = supervisor.Run(count, interrupted.Token);
        string summary = outcome.Summary;
        switch (outcome.Kind)
        {
            case SweepOutcomeKind.Interrupted:
                Console.Error.WriteLine($"sweep {id} interrupted ({summary}); continue it with: diffusion sweep --resume {id}");
                return 130;
            case SweepOutcomeKind.Stopped:
                Console.Error.WriteLine($"error: sweep {id} {outcome.Sweep.Message} ({summary}); fix it and continue with: diffusion sweep --resume {id}");
                return 1;
            case SweepOutcomeKind.Unfinished:
                Console.Error.WriteLine($"error: sweep {id}: {outcome.ParentMessage}; continue it with: diffusion sweep --resume {id}");
                return 1;
            case SweepOutcomeKind.NoTrialCompleted:
                Console.Error.WriteLine($"error: sweep {id}: no trial completed ({summary}); the trials' messages: diffusion runs list --parent {id}");
                return 1;
        }
        var winner = outcome.Winner!;
        Console.WriteLine($"sweep {id} COMPLETED: {summary}");
        Console.WriteLine($"best: trial {winner.Number} (run {winner.RunId}) {definition.Objective} = {RunsSupport.Num(winner.Value!.Value)} with {string.Join(", ", outcome.WinnerPoint!.Overrides)}");
        Console.WriteLine($"all trials: diffusion runs list --parent {id} --order-by \"metrics.{Quote(definition.Objective)}{(definition.Maximize ? " DESC" : "")}\"");
        return 0;
    }

    /// <summary>Prints a trial that ended: its objective (and whether it is the best so far), or why it did not complete.</summary>
    private static void Print(SweepDefinition definition, EndedTrial ended)
    {
        var trial = ended.Trial;
        string point = TrialPoint.FromJson(trial.Point).Describe();
        string state = trial.State.ToString().ToUpperInvariant();
        if (trial.State == TrialState.Completed && trial.Value is { } value)
            Console.WriteLine($"trial {trial.Number,-3} {state,-9} {definition.Objective} = {RunsSupport.Num(value)}{(ended.IsBestSoFar ? " (best so far)" : "")}  {point}  run {trial.RunId}");
        else
            Console.WriteLine($"trial {trial.Number,-3} {state,-9} {point}  run {trial.RunId}: {trial.Message}");
    }

    /// <summary>Cancels <paramref name="cancellation"/> on Ctrl+C or SIGTERM instead of ending the process, until disposed.</summary>
    private static IDisposable CancelOnInterrupt(CancellationTokenSource cancellation)
    {
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        return PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancellation.Cancel();
        });
    }

    /// <summary>A metric key as the filter language writes it: quoted unless it is plain.</summary>
    private static string Quote(string key) =>
        key.All(c => char.IsLetterOrDigit(c) || c is '_' or '/' or '-' or '.') && char.IsLetter(key[0]) && !key.Contains('.') ? key : $"\\\"{key.Replace("\"", "\"\"")}\\\"";
}
