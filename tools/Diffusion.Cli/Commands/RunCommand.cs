using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Diffusion.Abstractions.Distributed;
using Diffusion.Core.Distributed;
using Diffusion.Core.Runs;
using Diffusion.Tracking;

namespace Diffusion.Cli.Commands;

/// <summary>
/// <c>diffusion run FILE [--set ...] [--resume RUN_ID] [--nproc N]</c>: exit 0 completed, 1 failed, 2 invalid input,
/// 130 interrupted (the run is then KILLED and can be resumed). Under <c>mpiexec</c> every rank runs this command
/// (docs/distributed.md); <c>--nproc N</c> starts that for you.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var file = PipelineOptions.File();
        var set = PipelineOptions.Set();
        var resume = CommandLine.Ids(new Option<string?>("--resume") { Description = "Continue RUN_ID from its last checkpoints (same pipeline)." });
        var acceptLengthChange = new Option<bool>("--accept-length-change")
        {
            Description = "With --resume: continue although stages' steps: changed (nothing else may); recorded as the tag resume.length_change.",
        };
        var nproc = new Option<int>("--nproc")
        {
            Description = "Data-parallel training on N processes: starts 'mpiexec -n N' with this command (docs/distributed.md).",
            DefaultValueFactory = _ => 1,
        };
        var threads = new Option<int?>("--threads")
        {
            Description = "libtorch threads for this run (default: the pipeline's threads:, else OMP_NUM_THREADS, else the physical cores).",
        };
        threads.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--threads must be at least 1");
        });
        var tensorBoard = new Option<bool>("--tensorboard") { Description = "Also write TensorBoard event files (metrics, sample grids) to the run folder's tensorboard/." };
        var command = new Command("run", "Run a pipeline and record it.") { file, set, resume, acceptLengthChange, nproc, threads, tensorBoard };
        command.SetAction(result =>
        {
            var launch = MpiLaunch.Detect();
            int ranks = result.GetValue(nproc);
            if (ranks < 1)
            {
                Console.Error.WriteLine($"error: --nproc must be at least 1 (got {ranks})");
                return CommandLine.InvalidInput;
            }
            if (launch is { Launcher: "openmpi" })
            {
                Console.Error.WriteLine("error: this build binds MPI through the MPICH ABI (MPICH, Intel MPI, Cray MPICH, MVAPICH), but Open MPI's mpiexec started it: use MPICH's mpiexec (Debian package 'mpich')");
                return CommandLine.InvalidInput;
            }
            // Ranks other than 0 print nothing: rank 0 speaks for the run (one message, not one per rank).
            var standardError = Console.Error;
            // Until the pipeline is checked, a quiet rank keeps what it would print: if its copy of the input is wrong
            // (a file missing on its machine), that is the message the other ranks need.
            // Rank 0's too: if the input is wrong the job ends with MPI_Abort, and that message must not be lost on the way.
            var validation = new StringWriter();
            bool parallel = launch is { Size: > 1 };
            if (launch is { Rank: > 0 }) Console.SetOut(TextWriter.Null);
            if (parallel) Console.SetError(validation);

            var (spec, _) = PipelineOptions.Load(result.GetValue(file)!, result.GetValue(set) ?? []);
            var tracking = spec is not null && CommandLine.KernelModeIsValid() ? CommandLine.Tracking(result) : null;
            if (parallel) Console.SetError(launch is { Rank: > 0 } ? TextWriter.Null : standardError);
            if (spec is null || tracking is null)
            {
                // Under mpiexec the other ranks would wait for this one in their first collective: tell them instead.
                if (parallel)
                {
                    if (launch is { Rank: 0 }) LaunchReport.Writer(standardError).Write(validation.ToString());
                    string why = validation.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "invalid input";
                    var failed = MpiCommunicator.Start(DistributedTimeout(), CancellationToken.None);
                    return EndRank(failed, 1, $"invalid input: {why}", standardError);
                }
                return CommandLine.InvalidInput;
            }
            if (launch is { Rank: 0 } && parallel) standardError.Write(validation.ToString()); // warnings of a valid pipeline
            if (ranks > 1 && launch is null) return MpiLauncher.Run(ranks);
            if (ranks > 1 && launch is not null && ranks != launch.Size)
                Console.Error.WriteLine($"warning: --nproc {ranks} ignored: mpiexec already started {launch.Size} ranks");

            using var cancellation = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = !cancellation.IsCancellationRequested; // a second Ctrl+C ends the process at once
                Console.Error.WriteLine("interrupting: finishing the current step and marking the run KILLED (Ctrl+C again to force)");
                cancellation.Cancel();
            };
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                cancellation.Cancel();
            });

            MpiCommunicator? mpi = null;
            if (launch is not null)
            {
                try
                {
                    mpi = MpiCommunicator.Start(DistributedTimeout(), cancellation.Token);
                }
                catch (DllNotFoundException e)
                {
                    standardError.WriteLine($"error: rank {launch.Rank}: {e.Message}");
                    return 1;
                }
            }

            var progress = ConsoleProgress.ForStandardError();
            var runner = new PipelineRunner(new ConsoleLogger(progress), progress);
            runner.Started += (id, folder) =>
            {
                Console.WriteLine($"run {id} started");
                Console.WriteLine($"artifacts: {Path.GetRelativePath(Environment.CurrentDirectory, folder)}");
                if (mpi is not null) Console.WriteLine($"data-parallel over {mpi.Size} ranks (rank 0 records the run)");
            };
            int code;
            string? failure;
            // Under mpiexec a failed run ends with MPI_Abort: its error goes where the abort cannot lose it.
            var errors = mpi is not { Rank: 0 } ? Console.Error : LaunchReport.Writer(Console.Error);
            try
            {
                var outcome = runner.Run(new RunRequest(spec, tracking.Location, ArtifactRoot(result, tracking, result.GetValue(resume), launch), result.GetValue(resume))
                {
                    Communicator = (ICommunicator?)mpi ?? SingleProcess.Instance,
                    AcceptLengthChange = result.GetValue(acceptLengthChange),
                    Threads = result.GetValue(threads),
                    RanksOnThisMachine = Math.Max(1, launch?.LocalSize ?? 1),
                    TensorBoard = result.GetValue(tensorBoard),
                }, cancellation.Token);
                (code, failure) = Report(outcome, result.GetValue(file)!, errors);
            }
            catch (Exception e) when (e is RunNotFoundException or AmbiguousRunIdException or ResumeRefusedException or InvalidOperationException)
            {
                errors.WriteLine($"error: {e.Message}");
                (code, failure) = (CommandLine.InvalidInput, e.Message);
            }
            catch (Exception e) when (mpi is not null && e is RankFailedException or OperationCanceledException)
            {
                // A rank other than 0 failed before rank 0 had a run to record it in (or while it opened one).
                errors.WriteLine($"error: {e.Message}");
                (code, failure) = (e is OperationCanceledException ? 130 : 1, e.Message);
            }
            return mpi is null ? code : EndRank(mpi, code, failure, standardError);
        });
        return command;
    }

    /// <summary>
    /// Where the run's folder goes: <c>--artifacts</c> or <c>DIFFUSION_ARTIFACTS</c> when given; for <c>--resume</c>, else
    /// the root the run recorded (its checkpoints are there, wherever it was started from); else the default.
    /// </summary>
    private static string ArtifactRoot(ParseResult result, ITrackingBackend tracking, string? resumeId, MpiLaunch? launch)
    {
        if (resumeId is null || launch is { Rank: > 0 }) return CommandLine.ArtifactRoot(result);
        string? recorded = null;
        try
        {
            if (tracking.Exists)
            {
                using var store = tracking.Open();
                recorded = store.FindRun(resumeId)?.ArtifactRoot;
            }
        }
        catch (TrackingStoreException)
        {
            // The run itself opens the store next and reports why it cannot.
        }
        return CommandLine.ArtifactRootOf(result, recorded);
    }

    private static (int Code, string? Failure) Report(RunResult outcome, string file, TextWriter errors)
    {
        string folderText = Path.GetRelativePath(Environment.CurrentDirectory, outcome.RunFolder);
        switch (outcome.Status)
        {
            case RunStatus.Completed:
                Console.WriteLine($"run {outcome.RunId} COMPLETED; see it with: diffusion runs show {outcome.RunId}");
                return (0, null);
            case RunStatus.Killed:
                errors.WriteLine($"run {outcome.RunId} KILLED: {outcome.Message}");
                errors.WriteLine($"continue it with: diffusion run {file} --resume {outcome.RunId}");
                return (130, outcome.Message);
            default:
                errors.WriteLine($"error: run {outcome.RunId} FAILED: {outcome.Message}");
                errors.WriteLine($"artifacts so far: {folderText}");
                return (1, outcome.Message);
        }
    }

    /// <summary>
    /// How a rank leaves a data-parallel run: after a run every rank completed, MPI is finalised; otherwise the rank
    /// where the failure began tells the others (rank 0 records it) and MPI_Abort ends every rank with the exit code.
    /// </summary>
    private static int EndRank(MpiCommunicator mpi, int code, string? failure, TextWriter standardError)
    {
        if (code == 0 && mpi.ReceivedFailure is null)
        {
            try
            {
                mpi.Finish();
                return 0;
            }
            catch (RankFailedException e)
            {
                (code, failure) = (1, e.Message);
            }
        }
        if (mpi.ReceivedFailure is not null)
        {
            // Another rank's failure, recorded by rank 0: that rank ends the job with MPI_Abort once rank 0 confirms, so
            // mpiexec names it; this rank only waits for that (and ends itself if it does not come).
            mpi.AcknowledgeFailure();
            Console.Out.Flush();
            Console.Error.Flush();
            if (mpi.ReceivedFailure.Rank >= 0) Thread.Sleep(TimeSpan.FromSeconds(10)); // a timeout has no rank to wait for
        }
        else
        {
            string message = failure ?? $"ended with exit code {code}";
            bool recorded = mpi.ReportFailure(message, TimeSpan.FromSeconds(30));
            if (!recorded) LaunchReport.Writer(standardError).WriteLine($"error: rank {mpi.Rank} failed: {message} (rank 0 did not confirm it recorded this)");
        }
        Console.Out.Flush();
        Console.Error.Flush();
        // Started by mpiexec directly, what this rank printed last goes through mpiexec's forwarding, which MPI_Abort
        // may cut short: give it a moment (under --nproc the error is in the launch report, kept safe).
        if (Environment.GetEnvironmentVariable(LaunchReport.Variable) is not { Length: > 0 }) Thread.Sleep(TimeSpan.FromMilliseconds(500));
        MpiCommunicator.Abort(code == 0 ? 1 : code);
        return code;
    }

    private static TimeSpan DistributedTimeout() =>
        double.TryParse(Environment.GetEnvironmentVariable("DIFFUSION_MPI_TIMEOUT"), NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromMinutes(30);
}
