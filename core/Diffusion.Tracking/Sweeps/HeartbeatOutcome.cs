namespace Diffusion.Tracking;

/// <summary>What a heartbeat found.</summary>
public enum HeartbeatOutcome
{
    /// <summary>The worker still holds the trial.</summary>
    Held,

    /// <summary>The trial was taken back (the worker was silent too long): stop running it.</summary>
    Lost,

    /// <summary>The sweep was stopped: stop running the trial.</summary>
    SweepStopped,
}
