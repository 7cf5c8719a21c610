using System.CommandLine;
using System.Runtime.InteropServices;
using Diffusion.Core.Runs;
using Diffusion.Tracking;

namespace Diffusion.Cli.Commands;

/// <summary>
/// <c>diffusion run FILE [--set ...] [--resume RUN_ID]</c>: exit 0 completed, 1 failed, 2 invalid input,
/// 130 interrupted (the run is then KILLED and can be resumed).
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
        var command = new Command("run", "Run a pipeline and record it.") { file, set, resume, acceptLengthChange };
        command.SetAction(result =>
        {
            var (spec, _) = PipelineOptions.Load(result.GetValue(file)!, result.GetValue(set) ?? []);
            if (spec is null || !CommandLine.KernelModeIsValid() || CommandLine.Tracking(result) is not { } tracking) return CommandLine.InvalidInput;

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

            var progress = ConsoleProgress.ForStandardError();
            var runner = new PipelineRunner(new ConsoleLogger(progress), progress);
            runner.Started += (id, folder) =>
            {
                Console.WriteLine($"run {id} started");
                Console.WriteLine($"artifacts: {Path.GetRelativePath(Environment.CurrentDirectory, folder)}");
            };
            RunResult outcome;
            try
            {
                outcome = runner.Run(new RunRequest(spec, tracking.Location, CommandLine.ArtifactRoot(result), result.GetValue(resume))
                {
                    AcceptLengthChange = result.GetValue(acceptLengthChange),
                }, cancellation.Token);
            }
            catch (Exception e) when (e is RunNotFoundException or AmbiguousRunIdException or ResumeRefusedException or InvalidOperationException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return CommandLine.InvalidInput;
            }

            string folderText = Path.GetRelativePath(Environment.CurrentDirectory, outcome.RunFolder);
            switch (outcome.Status)
            {
                case RunStatus.Completed:
                    Console.WriteLine($"run {outcome.RunId} COMPLETED; see it with: diffusion runs show {outcome.RunId}");
                    return 0;
                case RunStatus.Killed:
                    Console.Error.WriteLine($"run {outcome.RunId} KILLED: {outcome.Message}");
                    Console.Error.WriteLine($"continue it with: diffusion run {result.GetValue(file)} --resume {outcome.RunId}");
                    return 130;
                default:
                    Console.Error.WriteLine($"error: run {outcome.RunId} FAILED: {outcome.Message}");
                    Console.Error.WriteLine($"artifacts so far: {folderText}");
                    return 1;
            }
        });
        return command;
    }
}
