using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using Diffusion.Core.Pipelines;
using Diffusion.Core.Sweeps;
using Diffusion.Tracking;

namespace Diffusion.Cli.Commands;

/// <summary>
/// <c>diffusion sweep FILE [--set ...] [--workers N] [--resume SWEEP_ID] [--fail-fast] [--stale-after SECONDS]</c>:
/// runs the pipeline's <c>sweep:</c> block. The sweep is a parent run; its trials are child runs, run by N worker
/// processes (this program in worker mode) that claim trials through the database. This process prints each
/// trial as it ends, logs the objective to the parent run, and closes it when the workers are done.
/// Exit 0 when the sweep completed with at least one completed trial, 1 when it failed or stopped (--fail-fast),
/// 2 for invalid input, 130 when interrupted (resume it with --resume).
/// </summary>
internal static class SweepCommand
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    public static Command Create()
    {
        var file = new Argument<string?>("file") { Description = "The pipeline YAML file with a sweep: block (optional with --resume).", Arity = ArgumentArity.ZeroOrOne };
        var set = PipelineOptions.Set();
        var workers = new Option<int>("--workers") { Description = "Worker processes running trials at once (default 1).", DefaultValueFactory = _ => 1 };
        var resume = new Option<string?>("--resume") { Description = "Continue the sweep SWEEP_ID (its parent run id; a prefix is enough)." };
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
            if (CommandLine.Tracking(result) is not { } tracking) return CommandLine.InvalidInput;
            var launched = result.GetValue(resume) is { } id
                ? Resume(tracking, id, result.GetValue(file))
                : Start(tracking.Location, result.GetValue(file), result.GetValue(set) ?? [], result.GetValue(failFast), TimeSpan.FromSeconds(stale));
            return launched is null ? CommandLine.InvalidInput : Supervise(launched, tracking, CommandLine.ArtifactRoot(result), count);
        });
        return command;
    }

    /// <summary>The hidden <c>sweep-worker SWEEP_ID</c> command the sweep starts N times.</summary>
    public static Command CreateWorker()
    {
        var id = new Argument<string>("sweep-id");
        var tag = new Option<string>("--tag") { DefaultValueFactory = _ => "1" };
        var command = new Command("sweep-worker", "Run trials of a sweep (started by diffusion sweep).") { id, tag };
        command.Hidden = true;
        command.SetAction(result =>
        {
            using var cancellation = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                cancellation.Cancel();
            };
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                cancellation.Cancel();
            });
            if (CommandLine.Tracking(result) is not { } tracking) return CommandLine.InvalidInput;
            string worker = $"{Environment.MachineName}:{Environment.ProcessId}:{result.GetValue(tag)}";
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
            var launched = SweepLauncher.Resume(tracking.Location, id);
            if (file is not null && Path.GetFullPath(file) != launched.Sweep.Definition.PipelinePath)
            {
                launched.Parent.Kill("not resumed: another pipeline file was named");
                Console.Error.WriteLine($"error: sweep {launched.Sweep.Definition.Id} runs {launched.Sweep.Definition.PipelinePath}, not {Path.GetFullPath(file)}; leave FILE out to resume it");
                return null;
            }
            var done = SweepsDone(tracking, launched.Sweep.Definition.Id);
            Console.WriteLine($"sweep {launched.Sweep.Definition.Id} resumed: {done} of {launched.Sweep.Definition.Budget} trials already ended");
            return launched;
        }
        catch (Exception e) when (e is RunNotFoundException or AmbiguousRunIdException or InvalidOperationException)
        {
            Console.Error.WriteLine(e is RunNotFoundException ? $"error: no sweep '{id}' in {tracking.Location}; 'diffusion runs list --filter \"tags.sweep.role = 'parent'\"' lists them" : $"error: {e.Message}");
            return null;
        }
    }

    private static int SweepsDone(ITrackingBackend tracking, string id)
    {
        using var sweeps = tracking.OpenSweeps();
        return sweeps.Trials(id).Count(t => t.State is TrialState.Completed or TrialState.Failed or TrialState.Pruned);
    }

    /// <summary>Starts the workers, reports trials as they end, and closes the parent run when the workers are done.</summary>
    private static int Supervise(LaunchedSweep launched, ITrackingBackend tracking, string artifacts, int count)
    {
        var definition = launched.Sweep.Definition;
        string id = definition.Id;
        string logs = Path.Combine(artifacts, id);
        Directory.CreateDirectory(logs);
        using var interrupted = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            interrupted.Cancel();
        };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            interrupted.Cancel();
        });

        var workers = Enumerable.Range(1, count).Select(k => Worker.Start(tracking.Location, artifacts, id, k, Path.Combine(logs, $"worker-{k}.log"))).ToList();
        Console.WriteLine($"{count} worker{(count == 1 ? "" : "s")}; logs in {Path.GetRelativePath(Environment.CurrentDirectory, logs)}");
        using var sweeps = tracking.OpenSweeps();
        // Trials that ended before a resume were reported (and logged to the parent run) by the first process.
        var reported = sweeps.Trials(id).Where(t => t.State is TrialState.Completed or TrialState.Failed or TrialState.Pruned)
            .ToDictionary(t => t.Number, t => t.State);
        var earlier = sweeps.Trials(id).Where(t => t.State == TrialState.Completed && t.Value is not null).Select(t => t.Value!.Value).ToList();
        double? best = earlier.Count == 0 ? null : definition.Maximize ? earlier.Max() : earlier.Min();
        bool forwarded = false;
        while (true)
        {
            if (interrupted.IsCancellationRequested && !forwarded)
            {
                forwarded = true;
                Console.Error.WriteLine("interrupting: workers put their trials back in the queue (resume with --resume)");
                foreach (var worker in workers) worker.Interrupt();
            }
            bool running = workers.Any(w => !w.HasExited);
            foreach (var trial in sweeps.Trials(id))
            {
                if (reported.TryGetValue(trial.Number, out var state) && state == trial.State) continue;
                reported[trial.Number] = trial.State;
                if (trial.State is TrialState.Pending or TrialState.Running) continue;
                best = Report(launched.Parent, definition, trial, best);
            }
            if (!running) break;
            Thread.Sleep(Poll);
        }
        foreach (var worker in workers) worker.Dispose();

        var final = sweeps.Find(id)!;
        var trials = sweeps.Trials(id);
        int completed = trials.Count(t => t.State == TrialState.Completed);
        string summary = $"{trials.Count(t => t.State is TrialState.Completed or TrialState.Failed or TrialState.Pruned)} of {definition.Budget} trials ended: " +
                         $"{completed} completed, {trials.Count(t => t.State == TrialState.Pruned)} pruned, {trials.Count(t => t.State == TrialState.Failed)} failed";
        if (interrupted.IsCancellationRequested)
        {
            launched.Parent.Kill($"interrupted: {summary}; continue with diffusion sweep --resume {id}");
            Console.Error.WriteLine($"sweep {id} interrupted ({summary}); continue it with: diffusion sweep --resume {id}");
            return 130;
        }
        if (final.State == SweepState.Stopped)
        {
            launched.Parent.Fail(final.Message ?? "stopped");
            Console.Error.WriteLine($"error: sweep {id} {final.Message} ({summary}); fix it and continue with: diffusion sweep --resume {id}");
            return 1;
        }
        if (trials.Count < definition.Budget || trials.Any(t => t.State is TrialState.Pending or TrialState.Running))
        {
            string why = $"the workers ended with trials left ({summary}); see {Path.GetRelativePath(Environment.CurrentDirectory, logs)}";
            launched.Parent.Kill(why);
            Console.Error.WriteLine($"error: sweep {id}: {why}; continue it with: diffusion sweep --resume {id}");
            return 1;
        }

        sweeps.SetState(id, SweepState.Completed);
        var winner = trials.Where(t => t.State == TrialState.Completed && t.Value is not null)
            .OrderBy(t => definition.Maximize ? -t.Value!.Value : t.Value!.Value).FirstOrDefault();
        if (winner is null)
        {
            launched.Parent.Fail($"no trial completed ({summary})");
            Console.Error.WriteLine($"error: sweep {id}: no trial completed ({summary}); the trials' messages: diffusion runs list --parent {id}");
            return 1;
        }
        var point = TrialPoint.FromJson(winner.Point);
        launched.Parent.SetTag("sweep.best_run", winner.RunId ?? "");
        launched.Parent.SetTag("sweep.best_trial", winner.Number.ToString(CultureInfo.InvariantCulture));
        foreach (var (path, value) in point.Values) launched.Parent.LogParam($"best.{path}", value);
        launched.Parent.Complete();
        Console.WriteLine($"sweep {id} COMPLETED: {summary}");
        Console.WriteLine($"best: trial {winner.Number} (run {winner.RunId}) {definition.Objective} = {RunsSupport.Num(winner.Value!.Value)} with {string.Join(", ", point.Overrides)}");
        Console.WriteLine($"all trials: diffusion runs list --parent {id} --order-by \"metrics.{Quote(definition.Objective)}{(definition.Maximize ? " DESC" : "")}\"");
        return 0;
    }

    /// <summary>Prints a trial that ended and logs its objective (and the best so far) to the parent run, by trial number.</summary>
    private static double? Report(IRunRecorder parent, SweepDefinition definition, TrialRecord trial, double? best)
    {
        string point = TrialPoint.FromJson(trial.Point).Describe();
        string state = trial.State.ToString().ToUpperInvariant();
        if (trial.State == TrialState.Completed && trial.Value is { } value)
        {
            bool better = best is null || (definition.Maximize ? value > best : value < best);
            if (better) best = value;
            parent.LogMetric($"trial/{definition.Objective}", value, trial.Number);
            parent.LogMetric($"best/{definition.Objective}", best!.Value, trial.Number);
            Console.WriteLine($"trial {trial.Number,-3} {state,-9} {definition.Objective} = {RunsSupport.Num(value)}{(better ? " (best so far)" : "")}  {point}  run {trial.RunId}");
        }
        else
        {
            Console.WriteLine($"trial {trial.Number,-3} {state,-9} {point}  run {trial.RunId}: {trial.Message}");
        }
        return best;
    }

    /// <summary>A metric key as the filter language writes it: quoted unless it is plain.</summary>
    private static string Quote(string key) =>
        key.All(c => char.IsLetterOrDigit(c) || c is '_' or '/' or '-' or '.') && char.IsLetter(key[0]) && !key.Contains('.') ? key : $"\\\"{key.Replace("\"", "\"\"")}\\\"";

    /// <summary>A worker process of this program, its output going to a log file.</summary>
    private sealed class Worker : IDisposable
    {
        private readonly Process _process;
        private readonly StreamWriter _log;

        private Worker(Process process, StreamWriter log) => (_process, _log) = (process, log);

        public bool HasExited => _process.HasExited;

        public static Worker Start(string db, string artifacts, string sweepId, int number, string logPath)
        {
            // The same program: the apphost itself, or 'dotnet diffusion.dll' when run through the dotnet host.
            string host = Environment.ProcessPath ?? "dotnet";
            var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
                info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
            foreach (var arg in new[] { "sweep-worker", sweepId, "--tag", number.ToString(CultureInfo.InvariantCulture), "--db", db, "--artifacts", artifacts })
                info.ArgumentList.Add(arg);
            var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
            var process = new Process { StartInfo = info };
            process.OutputDataReceived += (_, e) => Write(log, e.Data);
            process.ErrorDataReceived += (_, e) => Write(log, e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return new Worker(process, log);
        }

        /// <summary>Asks the worker to stop (SIGTERM): it puts its trial back in the queue and exits.</summary>
        public void Interrupt()
        {
            if (_process.HasExited) return;
            if (OperatingSystem.IsWindows()) _process.Kill(entireProcessTree: true);
            else _ = SendSignal(_process.Id, 15);
        }

        public void Dispose()
        {
            _process.WaitForExit();
            _process.Dispose();
            lock (_log) _log.Dispose();
        }

        private static void Write(StreamWriter log, string? line)
        {
            if (line is null) return;
            lock (log) log.WriteLine(line);
        }

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static extern int SendSignal(int pid, int signal);
    }
}
