namespace Diffusion.Abstractions.Distributed;

/// <summary>The communicator of a run in one process: rank 0 of 1; collectives leave the buffers as they are.</summary>
public sealed class SingleProcess : ICommunicator
{
    private SingleProcess()
    {
    }

    /// <summary>The one instance.</summary>
    public static SingleProcess Instance { get; } = new();

    /// <inheritdoc />
    public int Rank => 0;

    /// <inheritdoc />
    public int Size => 1;

    /// <inheritdoc />
    public void Broadcast(Span<byte> buffer, int root) => CheckRoot(root);

    /// <inheritdoc />
    public void AllReduceSum(Span<float> values)
    {
    }

    /// <inheritdoc />
    public void AllReduceSum(Span<double> values)
    {
    }

    /// <inheritdoc />
    public void AllGather(ReadOnlySpan<byte> mine, Span<byte> all, ReadOnlySpan<int> counts)
    {
        if (counts.Length != 1 || counts[0] != mine.Length)
            throw new ArgumentException("a single process gathers exactly its own buffer", nameof(counts));
        mine.CopyTo(all);
    }

    /// <inheritdoc />
    public void Barrier()
    {
    }

    private static void CheckRoot(int root)
    {
        if (root != 0) throw new ArgumentOutOfRangeException(nameof(root), root, "a single process has rank 0 only");
    }
}
