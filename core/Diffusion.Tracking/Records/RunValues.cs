namespace Diffusion.Tracking;

/// <summary>A run with its params, metric summaries and tags: what an export writes.</summary>
/// <param name="Run">The run.</param>
/// <param name="Params">Its params, by key.</param>
/// <param name="Metrics">One summary per metric key, by key.</param>
/// <param name="Tags">Its tags, by key.</param>
/// <param name="ArtifactRoot">The folder that holds the run's folder (<c>ArtifactRoot/RUN_ID/</c>), where recorded.</param>
public sealed record RunValues(
    RunSummary Run,
    IReadOnlyList<ParamValue> Params,
    IReadOnlyList<MetricSummary> Metrics,
    IReadOnlyList<TagValue> Tags,
    string? ArtifactRoot = null);
