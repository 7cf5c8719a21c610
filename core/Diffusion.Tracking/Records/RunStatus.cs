namespace Diffusion.Tracking;

/// <summary>Where a run stands. Stored as <c>RUNNING</c>, <c>COMPLETED</c>, <c>FAILED</c> or <c>KILLED</c>.</summary>
public enum RunStatus
{
    /// <summary>The run is in progress (its process is alive and heartbeating).</summary>
    Running,

    /// <summary>The run finished normally.</summary>
    Completed,

    /// <summary>The run stopped on an error; the message says which.</summary>
    Failed,

    /// <summary>The run was stopped (cancelled, or its process ended without closing it).</summary>
    Killed,
}
