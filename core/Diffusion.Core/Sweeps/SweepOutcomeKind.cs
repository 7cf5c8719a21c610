namespace Diffusion.Core.Sweeps;

/// <summary>How a supervised sweep ended.</summary>
public enum SweepOutcomeKind
{
    /// <summary>Every trial of the budget ended and at least one completed: the sweep has a winner; the parent run is COMPLETED.</summary>
    Completed,

    /// <summary>Every trial of the budget ended but none completed with an objective value; the parent run is FAILED.</summary>
    NoTrialCompleted,

    /// <summary>The sweep was stopped (<c>--fail-fast</c> after a failed trial); the parent run is FAILED. It can be resumed.</summary>
    Stopped,

    /// <summary>The workers exited with trials left undone; the parent run is KILLED. It can be resumed.</summary>
    Unfinished,

    /// <summary>The supervisor was interrupted and its workers put their trials back in the queue; the parent run is KILLED. It can be resumed.</summary>
    Interrupted,
}
