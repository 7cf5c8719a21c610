using Diffusion.Abstractions.Distributed;
using Diffusion.Abstractions.Stages;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Diffusion.Abstractions.Runs;

/// <summary>Everything a stage or plugin may use while a run is in progress.</summary>
public interface IRunContext
{
    /// <summary>The run's id (also the name of its artifact folder).</summary>
    string RunId { get; }

    /// <summary>The device chosen for this run (cpu or cuda).</summary>
    Device Device { get; }

    /// <summary>The run's seed; per-sample generators derive from it.</summary>
    long Seed { get; }

    /// <summary>Where messages go (the console, and the run's log).</summary>
    ILogger Logger { get; }

    /// <summary>Metrics, params and tags of this run.</summary>
    ITracker Tracker { get; }

    /// <summary>Files of this run.</summary>
    IArtifactStore Artifacts { get; }

    /// <summary>Progress display for long loops.</summary>
    IProgressReporter Progress { get; }

    /// <summary>Signalled on Ctrl+C or SIGTERM; loops check it every step.</summary>
    CancellationToken Cancellation { get; }

    /// <summary>Results passed between stages: trained models, the current samples, values of a stage's own. Owned by the run.</summary>
    StageState State { get; }

    /// <summary>The instance of a component named in the pipeline's <c>components:</c>.</summary>
    T Component<T>(string name) where T : class;

    /// <summary>The name of the stage now running.</summary>
    string StageName { get; }

    /// <summary>The folder of a checkpoint this run resumes from for the current stage, or null for a fresh start.</summary>
    string? ResumeCheckpoint { get; }

    /// <summary>
    /// Generators for samples <paramref name="first"/> .. first+count−1: sample i always draws from a generator
    /// seeded by (run seed, <paramref name="stream"/>, i), so its values do not depend on the batch size.
    /// </summary>
    SampleGenerators GeneratorsFor(long first, int count, string stream);

    /// <summary>
    /// The ranks of a data-parallel run (one rank, <see cref="SingleProcess"/>, outside <c>mpiexec</c>). Every rank runs
    /// every stage; only rank 0's tracker and artifact store record anything (the others' are silent).
    /// </summary>
    ICommunicator Communicator => SingleProcess.Instance;
}
