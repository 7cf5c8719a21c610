namespace Diffusion.Tracking;

/// <summary>A backend's side of a <see cref="BackgroundWriter"/>: writes one batch of a run in one transaction.</summary>
internal interface IBatchSink : IDisposable
{
    /// <summary>Writes <paramref name="batch"/> (in order) and, when <paramref name="heartbeatMs"/> is given, stamps the heartbeat; all or nothing.</summary>
    void Write(IReadOnlyList<PendingWrite> batch, long? heartbeatMs);

    /// <summary>Whether a failed <see cref="Write"/> is worth trying again (the database was busy or briefly unreachable).</summary>
    bool IsTransient(Exception error);
}
