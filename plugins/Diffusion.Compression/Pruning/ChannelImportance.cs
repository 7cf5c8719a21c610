namespace Diffusion.Compression.Pruning;

/// <summary>How channels are ranked for removal.</summary>
public enum ChannelImportance
{
    /// <summary>L1 norm of the channel's filter in the layer that produces it (Li et al. 2017).</summary>
    L1,
    /// <summary>
    /// First-order Taylor: Σ |w · ∂L/∂w| over every weight of the channel, with L the diffusion loss summed over
    /// batches at timesteps spread evenly over [0, T) (as Diff-Pruning does).
    /// </summary>
    Taylor,
}
