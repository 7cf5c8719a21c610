namespace Diffusion.Abstractions.Distributed;

/// <summary>
/// The processes (ranks) of a data-parallel run and the few collective operations they share. A run outside
/// <c>mpiexec</c> has one rank (<see cref="SingleProcess"/>), where every operation is a no-op or a copy. Every rank must
/// call the same collectives in the same order; a rank that fails or stops answering makes them throw
/// <see cref="RankFailedException"/> on the others instead of hanging. Buffers are host memory: tensors on a GPU are
/// staged through the CPU (see <see cref="CommunicatorTensors"/>).
/// </summary>
public interface ICommunicator
{
    /// <summary>This process's rank, 0 .. <see cref="Size"/>−1; rank 0 alone writes tracking, checkpoints and artifacts.</summary>
    int Rank { get; }

    /// <summary>The number of ranks (the world size).</summary>
    int Size { get; }

    /// <summary>Copies <paramref name="buffer"/> of rank <paramref name="root"/> into the same buffer on every other rank.</summary>
    void Broadcast(Span<byte> buffer, int root);

    /// <summary>Replaces <paramref name="values"/> on every rank by their element-wise sum over all ranks.</summary>
    void AllReduceSum(Span<float> values);

    /// <summary>Replaces <paramref name="values"/> on every rank by their element-wise sum over all ranks.</summary>
    void AllReduceSum(Span<double> values);

    /// <summary>
    /// Concatenates every rank's <paramref name="mine"/> in rank order into <paramref name="all"/> on every rank;
    /// <paramref name="counts"/>[r] is the length rank r sends (the same array on every rank).
    /// </summary>
    void AllGather(ReadOnlySpan<byte> mine, Span<byte> all, ReadOnlySpan<int> counts);

    /// <summary>Returns once every rank has called it.</summary>
    void Barrier();
}
