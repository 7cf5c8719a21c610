namespace Diffusion.Tracking;

/// <summary>Thrown when a run id names no run in the store.</summary>
public sealed class RunNotFoundException : Exception
{
    /// <summary>Creates the exception for <paramref name="runId"/>.</summary>
    public RunNotFoundException(string runId)
        : base($"no run with id '{runId}'")
    {
        RunId = runId;
    }

    /// <summary>The id that was looked up.</summary>
    public string RunId { get; }
}
