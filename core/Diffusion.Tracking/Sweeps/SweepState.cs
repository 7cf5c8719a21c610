namespace Diffusion.Tracking;

/// <summary>Where a sweep stands.</summary>
public enum SweepState
{
    /// <summary>Trials are being run (or the sweep was interrupted and can be resumed).</summary>
    Running,

    /// <summary>Every trial of the budget ended.</summary>
    Completed,

    /// <summary>Stopped early (<c>--fail-fast</c> after a failed trial); resuming takes it up again.</summary>
    Stopped,
}
