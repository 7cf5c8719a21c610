namespace Diffusion.Abstractions.Distributed;

/// <summary>
/// Rank <see cref="Rank"/>'s contiguous share of <see cref="Total"/> items split over the ranks: the shares of all ranks
/// are disjoint, cover every item exactly once, are in rank order, and differ in size by at most one (the first
/// <c>Total mod Size</c> ranks take one more).
/// </summary>
/// <param name="Total">Items split.</param>
/// <param name="Rank">The rank this share belongs to.</param>
/// <param name="Start">Index of the share's first item.</param>
/// <param name="Count">Items in the share (0 when there are fewer items than ranks).</param>
public readonly record struct DataShard(long Total, int Rank, long Start, long Count)
{
    /// <summary>Rank <paramref name="rank"/>'s share of <paramref name="total"/> items over <paramref name="size"/> ranks.</summary>
    public static DataShard Of(long total, int rank, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (rank < 0 || rank >= size) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"rank must be in 0 .. {size - 1}");
        long quotient = total / size, remainder = total % size;
        long start = rank * quotient + Math.Min(rank, remainder);
        return new DataShard(total, rank, start, quotient + (rank < remainder ? 1 : 0));
    }

    /// <summary>Every rank's share, in rank order.</summary>
    public static DataShard[] All(long total, int size) => Enumerable.Range(0, size).Select(r => Of(total, r, size)).ToArray();
}
