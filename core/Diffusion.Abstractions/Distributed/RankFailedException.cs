namespace Diffusion.Abstractions.Distributed;

/// <summary>
/// Another rank of a data-parallel run failed, or stopped answering within the collective timeout: the run cannot go on.
/// The message names the rank and what it reported.
/// </summary>
public sealed class RankFailedException : Exception
{
    /// <summary>Creates the exception for rank <paramref name="rank"/> (−1 when it is not known which rank stopped).</summary>
    public RankFailedException(int rank, string message) : base(message) => Rank = rank;

    /// <summary>The rank that failed, or −1 when no rank answered in time and it is not known which one stopped.</summary>
    public int Rank { get; }
}
