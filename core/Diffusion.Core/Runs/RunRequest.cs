using Diffusion.Abstractions.Distributed;
using Diffusion.Core.Pipelines;
using Diffusion.Tracking;

namespace Diffusion.Core.Runs;

/// <summary>What to run and where to record it.</summary>
/// <param name="Pipeline">The validated pipeline.</param>
/// <param name="Tracking">Where the run is recorded: a tracking location that <see cref="TrackingStores.For"/> accepts.</param>
/// <param name="ArtifactRoot">The folder that holds run folders: the run's files go in <c>ArtifactRoot/RUN_ID/</c>.</param>
/// <param name="ResumeRunId">A run to continue from its last checkpoints, or null for a new run.</param>
public sealed record RunRequest(PipelineSpec Pipeline, string Tracking, string ArtifactRoot, string? ResumeRunId = null)
{
    /// <summary>The run this one belongs to (a sweep's parent run), or null.</summary>
    public string? ParentRunId { get; init; }

    /// <summary>The ranks of a data-parallel run (<see cref="SingleProcess"/> by default): rank 0 records the run, every rank runs every stage.</summary>
    public ICommunicator Communicator { get; init; } = SingleProcess.Instance;

    /// <summary>Also write TensorBoard event files (metrics, sample grids) to the run folder's <c>tensorboard/</c>.</summary>
    public bool TensorBoard { get; init; }

    /// <summary>With <see cref="ResumeRunId"/>: continue although the stages' <c>steps:</c> changed (recorded as the tag <c>resume.length_change</c>).</summary>
    public bool AcceptLengthChange { get; init; }

    /// <summary>libtorch's threads for this run (<c>--threads</c>), overriding the pipeline's <c>threads:</c>; null for that or auto.</summary>
    public int? Threads { get; init; }

    /// <summary>How many processes of this job share this machine's cores (ranks of a data-parallel job on one host).</summary>
    public int RanksOnThisMachine { get; init; } = 1;
}
