namespace Diffusion.Tracking;

/// <summary>Everything recorded about one run.</summary>
/// <param name="Run">The run's summary.</param>
/// <param name="PipelinePath">The pipeline file the run was started from.</param>
/// <param name="PipelineText">The resolved pipeline text.</param>
/// <param name="PipelineHash">SHA-256 of <paramref name="PipelineText"/> (UTF-8), lowercase hex.</param>
/// <param name="CodeVersion">The version of the code that ran.</param>
/// <param name="Host">The machine the run last ran on.</param>
/// <param name="Pid">The process id the run last ran in.</param>
/// <param name="Heartbeat">The last sign of life from the run's process (UTC).</param>
/// <param name="Params">The run's params, by key.</param>
/// <param name="Metrics">One summary per metric key, by key.</param>
/// <param name="Tags">The run's tags, by key.</param>
/// <param name="Artifacts">The run's files, by path.</param>
/// <param name="ArtifactRoot">The folder that holds the run's folder (<c>ArtifactRoot/RUN_ID/</c>) where the run recorded it; null for runs recorded before it was.</param>
public sealed record RunDetails(
    RunSummary Run,
    string PipelinePath,
    string PipelineText,
    string PipelineHash,
    string CodeVersion,
    string Host,
    int Pid,
    DateTimeOffset? Heartbeat,
    IReadOnlyList<ParamValue> Params,
    IReadOnlyList<MetricSummary> Metrics,
    IReadOnlyList<TagValue> Tags,
    IReadOnlyList<ArtifactRecord> Artifacts,
    string? ArtifactRoot = null);
