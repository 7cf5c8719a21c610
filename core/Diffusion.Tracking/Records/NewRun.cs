namespace Diffusion.Tracking;

/// <summary>What is known about a run when it starts.</summary>
/// <param name="Name">A human-readable name (often the pipeline's name).</param>
/// <param name="Experiment">The experiment the run belongs to; created on first use.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="PipelinePath">The pipeline file the run was started from.</param>
/// <param name="PipelineText">The fully resolved pipeline text; its SHA-256 is stored beside it.</param>
/// <param name="CodeVersion">The version of the code that ran (e.g. a git commit or package version).</param>
/// <param name="ParentRunId">The parent run (a sweep), or null.</param>
/// <param name="ArtifactRoot">The folder that holds run folders (the run's files go in <c>ArtifactRoot/RUN_ID/</c>), as an absolute path; null if unknown.</param>
public sealed record NewRun(
    string Name,
    string Experiment,
    long Seed,
    string PipelinePath,
    string PipelineText,
    string CodeVersion,
    string? ParentRunId = null,
    string? ArtifactRoot = null);
