using Diffusion.Abstractions.Distributed;

namespace Diffusion.Stages.Tests.Distributed;

/// <summary>How samples and items are split over the ranks of a data-parallel run.</summary>
public class DataShardTests
{
    [Fact]
    public void SharesAreDisjointCoverEveryItemInRankOrderAndDifferByAtMostOne()
    {
        for (int size = 1; size <= 9; size++)
        {
            for (long total = 0; total <= 40; total++)
            {
                var shares = DataShard.All(total, size);
                Assert.Equal(size, shares.Length);
                long next = 0;
                var seen = new bool[total];
                foreach (var share in shares)
                {
                    Assert.Equal(next, share.Start); // contiguous, in rank order: no gap, no overlap
                    for (long i = share.Start; i < share.Start + share.Count; i++)
                    {
                        Assert.False(seen[i], $"item {i} in two shares ({total} over {size})");
                        seen[i] = true;
                    }
                    next = share.Start + share.Count;
                }
                Assert.Equal(total, next);
                Assert.All(seen, Assert.True);
                Assert.True(shares.Max(s => s.Count) - shares.Min(s => s.Count) <= 1);
            }
        }
    }

    [Fact]
    public void TheFirstRanksTakeTheRemainder()
    {
        Assert.Equal(new DataShard(10, 0, 0, 4), DataShard.Of(10, 0, 3));
        Assert.Equal(new DataShard(10, 1, 4, 3), DataShard.Of(10, 1, 3));
        Assert.Equal(new DataShard(10, 2, 7, 3), DataShard.Of(10, 2, 3));
        Assert.Equal(new DataShard(2, 3, 2, 0), DataShard.Of(2, 3, 4));
    }

    [Fact]
    public void ARankOutsideTheWorldIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DataShard.Of(10, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataShard.Of(10, -1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataShard.Of(10, 0, 0));
    }

    [Fact]
    public void ASingleProcessGathersItsOwnBufferAndBroadcastsNothing()
    {
        var communicator = SingleProcess.Instance;
        Assert.Equal((0, 1), (communicator.Rank, communicator.Size));
        byte[] all = new byte[3];
        communicator.AllGather(new byte[] { 1, 2, 3 }, all, [3]);
        Assert.Equal(new byte[] { 1, 2, 3 }, all);
        Assert.Throws<ArgumentOutOfRangeException>(() => communicator.Broadcast(all, 1));
    }
}
