namespace Diffusion.Tracking;

/// <summary>Where a trial stands.</summary>
public enum TrialState
{
    /// <summary>Waiting for a worker (also a trial whose worker died, or whose run was interrupted).</summary>
    Pending,

    /// <summary>Claimed by a worker that heartbeats it.</summary>
    Running,

    /// <summary>Ran to the end; its objective value is known.</summary>
    Completed,

    /// <summary>Its run failed (or its objective metric was missing).</summary>
    Failed,

    /// <summary>Stopped early by the pruner.</summary>
    Pruned,
}
