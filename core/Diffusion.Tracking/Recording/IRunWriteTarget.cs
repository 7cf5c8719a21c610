namespace Diffusion.Tracking;

/// <summary>What a <see cref="PendingWrite"/> does inside a batch; each backend's writer implements it.</summary>
internal interface IRunWriteTarget
{
    void InsertMetric(string key, double value, long step, long timeMs);

    /// <summary>
    /// Discards the rows of <paramref name="key"/> recorded at <paramref name="step"/> before this write (a step done
    /// again after a resume), so that the run's history has each step once, as if it had never been interrupted; the
    /// key's <c>latest_metrics</c> row is computed afresh at the end of the batch.
    /// </summary>
    void DiscardMetricStep(string key, long step);

    void UpsertParam(string key, EncodedParam value);

    void UpsertTag(string key, string value);

    void UpsertArtifact(ArtifactRecord artifact, long timeMs);

    void SetStatus(RunStatus status, string? message, long timeMs);
}
