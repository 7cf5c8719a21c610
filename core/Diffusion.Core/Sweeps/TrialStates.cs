using Diffusion.Tracking;

namespace Diffusion.Core.Sweeps;

/// <summary>What a <see cref="TrialState"/> says about a trial.</summary>
public static class TrialStates
{
    /// <summary>Whether a trial in this state has ended for good: COMPLETED, FAILED or PRUNED.</summary>
    public static bool HasEnded(this TrialState state) => state is TrialState.Completed or TrialState.Failed or TrialState.Pruned;
}
