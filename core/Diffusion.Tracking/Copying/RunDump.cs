namespace Diffusion.Tracking;

/// <summary>Everything one run holds, as stored, for copying it between backends (<see cref="TrackingCopy"/>).</summary>
internal sealed record RunDump(
    RunRow Run,
    IReadOnlyList<ParamRow> Params,
    IReadOnlyList<MetricRow> Metrics,
    IReadOnlyList<LatestMetricRow> Latest,
    IReadOnlyList<TagValue> Tags,
    IReadOnlyList<ArtifactRow> Artifacts);

/// <summary>A row of <c>runs</c>, with its experiment's name instead of its id.</summary>
internal sealed record RunRow(
    string Id, string Experiment, long ExperimentCreated, string Name, string Status, long StartTime, long? EndTime, long? Heartbeat, long Seed,
    string PipelinePath, string PipelineText, string PipelineHash, string CodeVersion, string Host, int Pid, string? ParentRunId,
    string? Message, bool Deleted, string? ArtifactRoot);

internal sealed record ParamRow(string Key, string Text, double? Number, string Type);

/// <summary>A metric value in logging order; NaN for a stored NULL.</summary>
internal readonly record struct MetricRow(string Key, long Step, double Value, long Time);

internal sealed record LatestMetricRow(string Key, long Step, double Value, double Min, double Max, long Count, long Time);

internal sealed record ArtifactRow(string Path, string Kind, string Sha256, long Bytes, long Created);

/// <summary>A sweep and its trials, as stored.</summary>
internal sealed record SweepDump(SweepDefinition Definition, string State, string? Message, long Created, IReadOnlyList<TrialRow> Trials);

internal sealed record TrialRow(int Number, string Point, string State, string? Worker, long? Heartbeat, int Attempts, string? RunId, double? Value, string? Message);

/// <summary>A backend that can be read whole, run by run (the source of <c>runs migrate</c>).</summary>
internal interface IRunArchiveReader : IDisposable
{
    /// <summary>Every run id, parents before their children.</summary>
    IReadOnlyList<string> RunIds();

    RunDump Read(string runId);

    IReadOnlyList<SweepDump> Sweeps();
}

/// <summary>A backend that runs can be copied into, each run in one transaction (the target of <c>runs migrate</c>).</summary>
internal interface IRunArchiveWriter : IRunArchiveReader
{
    bool HasRun(string runId);

    /// <summary>Writes the run and everything it holds in one transaction: all of it or nothing.</summary>
    void Write(RunDump run);

    bool HasSweep(string sweepId);

    /// <summary>Writes the sweep and its trials in one transaction.</summary>
    void Write(SweepDump sweep);
}

/// <summary>A backend whose stores can be read whole and (where supported) written run by run.</summary>
internal interface IArchiveBackend
{
    IRunArchiveReader OpenReader();

    /// <summary>A writer, or null when this backend is not a target of <c>runs migrate</c>.</summary>
    IRunArchiveWriter? OpenWriter();
}
