namespace Diffusion.Tracking;

/// <summary>What a <see cref="PendingWrite"/> does inside a batch; each backend's writer implements it.</summary>
internal interface IRunWriteTarget
{
    void InsertMetric(string key, double value, long step, long timeMs);

    void UpsertParam(string key, EncodedParam value);

    void UpsertTag(string key, string value);

    void UpsertArtifact(ArtifactRecord artifact, long timeMs);

    void SetStatus(RunStatus status, string? message, long timeMs);
}
