namespace Diffusion.Tracking;

/// <summary>Why a claim gave what it gave.</summary>
public enum ClaimOutcome
{
    /// <summary>A trial was claimed.</summary>
    Claimed,

    /// <summary>Nothing to claim now, but trials are still running and one may come back: ask again later.</summary>
    Wait,

    /// <summary>Every trial of the budget ended: the worker can stop.</summary>
    Finished,

    /// <summary>The sweep was stopped: the worker should stop.</summary>
    Stopped,
}
