namespace Diffusion.Tracking;

/// <summary>Something a recorder queued for its background writer.</summary>
internal abstract class PendingWrite
{
    public abstract void Apply(IRunWriteTarget statements);
}

internal sealed class MetricWrite(string key, double value, long step, long timeMs) : PendingWrite
{
    public override void Apply(IRunWriteTarget statements) => statements.InsertMetric(key, value, step, timeMs);
}

/// <summary>A step done again after a resume: the rows an earlier attempt recorded at it are discarded first.</summary>
internal sealed class MetricRedoWrite(string key, long step) : PendingWrite
{
    public override void Apply(IRunWriteTarget statements) => statements.DiscardMetricStep(key, step);
}

internal sealed class ParamWrite(string key, EncodedParam value) : PendingWrite
{
    public override void Apply(IRunWriteTarget statements) => statements.UpsertParam(key, value);
}

internal sealed class TagWrite(string key, string value) : PendingWrite
{
    public override void Apply(IRunWriteTarget statements) => statements.UpsertTag(key, value);
}

internal sealed class ArtifactWrite(ArtifactRecord artifact, long timeMs) : PendingWrite
{
    public override void Apply(IRunWriteTarget statements) => statements.UpsertArtifact(artifact, timeMs);
}

internal sealed class StatusWrite(RunStatus status, string? message, long timeMs) : PendingWrite
{
    public override void Apply(IRunWriteTarget statements) => statements.SetStatus(status, message, timeMs);
}

/// <summary>Released once everything queued before it is committed (or has failed).</summary>
internal sealed class FlushMarker : PendingWrite
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override void Apply(IRunWriteTarget statements)
    {
    }

    public void Release() => _done.TrySetResult();

    public void Wait() => _done.Task.GetAwaiter().GetResult();
}
