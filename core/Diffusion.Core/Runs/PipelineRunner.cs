using System.Diagnostics;
using System.Reflection;
using Diffusion.Abstractions.Checkpoints;
using Diffusion.Abstractions.Distributed;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Stages;
using Diffusion.Core.Distributed;
using Diffusion.Core.Host;
using Diffusion.Core.Pipelines;
using Diffusion.Core.Plugins;
using Diffusion.Kernels;
using Diffusion.Tracking;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Diffusion.Core.Runs;

/// <summary>
/// Runs a pipeline: records the run, builds its components through dependency injection, runs the stages in
/// order, and closes the run as COMPLETED, FAILED (with the message) or KILLED (on cancellation). What was
/// recorded before a failure is kept.
/// </summary>
public sealed class PipelineRunner(ILogger logger, IProgressReporter progress)
{
    /// <summary>The host's version, recorded with every run (includes the commit when built from git).</summary>
    public static string CodeVersion { get; } =
        typeof(PipelineRunner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Called once the run exists, before any stage runs (the CLI prints the id and folder).</summary>
    public event Action<string, string>? Started;

    /// <summary>Runs <paramref name="request"/> until it completes, fails or <paramref name="cancellation"/> is signalled.</summary>
    /// <exception cref="RunNotFoundException">The run to resume does not exist.</exception>
    /// <exception cref="ResumeRefusedException">The run to resume completed, or the pipeline changed.</exception>
    public RunResult Run(RunRequest request, CancellationToken cancellation)
    {
        // libtorch's default generator (weight init, dropout) is process-wide: two pipelines running at once in
        // one process would draw from it in an interleaved order and lose reproducibility. Runs take turns.
        lock (ProcessWideRun)
        {
            return RunAlone(request, cancellation);
        }
    }

    private static readonly object ProcessWideRun = new();

    private RunResult RunAlone(RunRequest request, CancellationToken cancellation)
    {
        var spec = request.Pipeline;
        var communicator = request.Communicator;
        bool leader = communicator.Rank == 0;
        // In a data-parallel run rank 0 alone opens the tracking store and records the run; the others learn its id
        // from rank 0 and keep their (unrecorded) files in a scratch folder of their own.
        using var store = leader ? TrackingStores.Open(request.Tracking) : null;
        string? lengthChange = null;
        RunDetails? resumed = null;
        if (leader && request.ResumeRunId is { } resumeId)
        {
            resumed = store!.FindRun(resumeId) ?? throw new RunNotFoundException(resumeId);
            lengthChange = ResumeCheck.Check(resumed, spec.ResolvedText, request.AcceptLengthChange, communicator.Size);
        }
        using var recorder = !leader
            ? new SilentRecorder(ReceiveRunId(communicator))
            : resumed is not null
                ? store!.ResumeRun(resumed.Run.Id)
                : store!.StartRun(new NewRun(spec.Name, spec.Name, spec.Seed, Path.GetFullPath(spec.FilePath), spec.ResolvedText, CodeVersion, request.ParentRunId, Path.GetFullPath(request.ArtifactRoot)));
        if (leader && communicator.Size > 1) communicator.BroadcastBytes(System.Text.Encoding.UTF8.GetBytes(recorder.RunId));
        string runFolder = leader
            ? Path.Combine(Path.GetFullPath(request.ArtifactRoot), recorder.RunId)
            : Path.Combine(Path.GetTempPath(), $"diffusion-{recorder.RunId}-rank{communicator.Rank}");
        Directory.CreateDirectory(runFolder);
        var artifacts = new ArtifactStore(runFolder, recorder);
        if (leader) Started?.Invoke(recorder.RunId, runFolder);

        RunContext? context = null;
        try
        {
            recorder.LogParams(spec.Params);
            if (communicator.Size > 1)
            {
                string ranks = RankDirectory.Describe(communicator);
                recorder.LogParam("distributed.world_size", communicator.Size);
                recorder.SetTag("distributed.ranks", ranks);
                logger.LogInformation("ranks (rank=pid@host): {Ranks}", ranks);
            }
            if (lengthChange is not null)
            {
                recorder.SetTag("resume.length_change", lengthChange);
                logger.LogWarning("resuming with changed stage lengths: {Change}", lengthChange);
            }
            var (threads, threadSource) = ThreadSettings.Choose(request.Threads, spec.Threads, request.RanksOnThisMachine);
            ThreadSettings.Apply(threads);
            recorder.LogParam("threads", threads);
            recorder.SetTag("threads.source", threadSource);
            if (ProcessSetup.Applied is { } host)
            {
                recorder.SetTag("host.malloc", host.Allocator);
                recorder.SetTag("host.omp_wait", host.OpenMpWait);
            }
            logger.LogInformation("threads: {Threads} ({Source})", threads, threadSource);
            // Before anything trains: CPU kernels that are wrong on this machine (issue 15) are replaced, and the run says which it used.
            var kernels = KernelGuard.EnsureForProcess(logger);
            recorder.LogParam("kernels.path", kernels.PathName);
            recorder.LogParam("kernels.decided", kernels.How);
            artifacts.Write(request.ResumeRunId is null ? "pipeline.yaml" : $"pipeline.resumed-{DateTime.UtcNow:yyyyMMddTHHmmss}.yaml",
                "pipeline", s => s.Write(System.Text.Encoding.UTF8.GetBytes(spec.ResolvedText)));

            using var services = BuildServices(spec);
            var device = DeviceSelector.Select(spec.Device);
            manual_seed(spec.Seed);
            // --tensorboard: metrics and sample grids also go to event files in the run folder (rank 0 only).
            var board = leader && request.TensorBoard ? new TensorBoardWriter(Path.Combine(runFolder, "tensorboard")) : null;
            context = new RunContext(recorder.RunId, device, spec.Seed, logger, board?.Wrap(recorder) ?? recorder, board?.Wrap(artifacts) ?? artifacts,
                progress, services, cancellation)
            {
                Communicator = communicator,
            };
            foreach (var component in spec.Components) services.GetRequiredKeyedService<object>(component.Name); // constructor errors surface now

            foreach (var stageSpec in spec.Stages)
            {
                cancellation.ThrowIfCancellationRequested();
                context.StageName = stageSpec.Name;
                context.ResumeCheckpoint = request.ResumeRunId is null
                    ? null
                    : CheckpointSharing.Share(communicator, leader ? Checkpoint.Latest(runFolder, stageSpec.Name)?.Folder : null, runFolder, stageSpec.Name);
                var stage = (IStage)ComponentFactory.Create(services, stageSpec.Type, stageSpec.Options);
                var clock = Stopwatch.StartNew();
                logger.LogInformation("stage '{Stage}' ({Type}) started", stageSpec.Name, stageSpec.Type.Name);
                stage.Run(context);
                recorder.LogMetric($"stage/{stageSpec.Name}/seconds", clock.Elapsed.TotalSeconds, 0);
                logger.LogInformation("stage '{Stage}' done in {Seconds:0.0} s", stageSpec.Name, clock.Elapsed.TotalSeconds);
            }
            recorder.Complete();
            return new RunResult(recorder.RunId, runFolder, RunStatus.Completed, null);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            const string reason = "interrupted (Ctrl+C or SIGTERM); continue it with --resume";
            recorder.Kill(reason);
            return new RunResult(recorder.RunId, runFolder, RunStatus.Killed, reason);
        }
        catch (Exception e) when (IsUserFacing(e))
        {
            string message = FirstLine(e.Message);
            if (message != e.Message.Trim())
            {
                File.WriteAllText(Path.Combine(runFolder, "error.log"), e.Message);
                message += $" (the rest in {Path.Combine(runFolder, "error.log")})";
            }
            recorder.Fail(message);
            return new RunResult(recorder.RunId, runFolder, RunStatus.Failed, message);
        }
        catch (Exception e)
        {
            // libtorch's messages carry its native stack trace: the record keeps one line, error.log the rest.
            File.WriteAllText(Path.Combine(runFolder, "error.log"), e.ToString());
            string message = $"{e.GetType().Name}: {FirstLine(e.Message)} (stack trace in {Path.Combine(runFolder, "error.log")})";
            recorder.Fail(message);
            return new RunResult(recorder.RunId, runFolder, RunStatus.Failed, message);
        }
        finally
        {
            context?.State.Dispose();
            if (!leader && !File.Exists(Path.Combine(runFolder, "error.log"))) DeleteScratch(runFolder);
        }
    }

    private static string ReceiveRunId(ICommunicator communicator) => System.Text.Encoding.UTF8.GetString(communicator.BroadcastBytes(null));

    private static void DeleteScratch(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // a scratch folder left behind is harmless
        }
    }

    private static string FirstLine(string message)
    {
        string trimmed = message.Trim();
        int newline = trimmed.IndexOfAny(['\r', '\n']);
        return newline < 0 ? trimmed : trimmed[..newline].TrimEnd();
    }

    private static bool IsUserFacing(Exception e) =>
        e is PluginInputException or RankFailedException or CheckpointMismatchException or PluginConstructionException or KernelCheckException;

    private ServiceProvider BuildServices(PipelineSpec spec)
    {
        var services = new ServiceCollection();
        services.AddSingleton(logger);
        foreach (var component in spec.Components)
        {
            var c = component;
            services.AddKeyedSingleton<object>(c.Name, (provider, _) => ComponentFactory.Create(provider, c.Plugin, c.Options));
        }
        return services.BuildServiceProvider();
    }
}
