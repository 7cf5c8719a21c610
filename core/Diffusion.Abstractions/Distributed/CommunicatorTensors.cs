using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Diffusion.Abstractions.Distributed;

/// <summary>
/// Collectives on tensors. MPI moves host memory: a tensor on a GPU is copied to a CPU buffer, communicated and copied
/// back (no NCCL here), and a non-contiguous tensor goes through a contiguous copy.
/// </summary>
public static unsafe class CommunicatorTensors
{
    private const long ChunkBytes = 1L << 30; // MPI counts are ints: large buffers go in pieces

    /// <summary>Copies rank <paramref name="root"/>'s values of <paramref name="tensors"/> into the same tensors on every other rank.</summary>
    public static void Broadcast(this ICommunicator communicator, IEnumerable<Tensor> tensors, int root = 0)
    {
        if (communicator.Size == 1) return;
        using var noGrad = no_grad();
        foreach (var tensor in tensors)
        {
            using var scope = NewDisposeScope();
            var host = Staged(tensor);
            long bytes = host.numel() * host.element_size();
            for (long offset = 0; offset < bytes; offset += ChunkBytes)
                communicator.Broadcast(new Span<byte>((byte*)Pointer(host) + offset, (int)Math.Min(ChunkBytes, bytes - offset)), root);
            if (!ReferenceEquals(host, tensor)) tensor.copy_(host);
        }
    }

    /// <summary>Replaces the values of a CPU, contiguous float32 or float64 <paramref name="tensor"/> by their sum over all ranks.</summary>
    public static void AllReduceSum(this ICommunicator communicator, Tensor tensor)
    {
        if (communicator.Size == 1) return;
        if (tensor.device_type != DeviceType.CPU || !tensor.is_contiguous())
            throw new ArgumentException("all-reduce works on a contiguous CPU tensor (stage GPU tensors through one)", nameof(tensor));
        long count = tensor.numel();
        const long chunk = ChunkBytes / 8;
        for (long offset = 0; offset < count; offset += chunk)
        {
            int n = (int)Math.Min(chunk, count - offset);
            switch (tensor.dtype)
            {
                case ScalarType.Float32:
                    communicator.AllReduceSum(new Span<float>((float*)Pointer(tensor) + offset, n));
                    break;
                case ScalarType.Float64:
                    communicator.AllReduceSum(new Span<double>((double*)Pointer(tensor) + offset, n));
                    break;
                default:
                    throw new ArgumentException($"all-reduce sums float32 or float64 tensors, not {tensor.dtype}", nameof(tensor));
            }
        }
    }

    /// <summary>
    /// Concatenates every rank's <paramref name="mine"/> along dimension 0, in rank order, on every rank (a CPU tensor).
    /// <paramref name="rowsPerRank"/>[r] is rank r's row count; the other dimensions and the dtype must agree.
    /// </summary>
    public static Tensor AllGatherRows(this ICommunicator communicator, Tensor mine, IReadOnlyList<long> rowsPerRank)
    {
        if (rowsPerRank.Count != communicator.Size)
            throw new ArgumentException($"{rowsPerRank.Count} row counts for {communicator.Size} ranks", nameof(rowsPerRank));
        if (mine.shape[0] != rowsPerRank[communicator.Rank])
            throw new ArgumentException($"rank {communicator.Rank} holds {mine.shape[0]} rows, not {rowsPerRank[communicator.Rank]}", nameof(mine));
        using var scope = NewDisposeScope();
        var local = mine.detach().cpu().contiguous();
        long rowBytes = local.shape.Skip(1).Aggregate(1L, (a, b) => a * b) * local.element_size();
        var counts = rowsPerRank.Select(rows => checked((int)(rows * rowBytes))).ToArray();
        var shape = (long[])local.shape.Clone();
        shape[0] = rowsPerRank.Sum();
        var all = empty(shape, dtype: local.dtype);
        var mineBytes = new ReadOnlySpan<byte>((byte*)Pointer(local), counts[communicator.Rank]);
        var allBytes = new Span<byte>((byte*)Pointer(all), checked((int)(shape[0] * rowBytes)));
        communicator.AllGather(mineBytes, allBytes, counts);
        return scope.MoveToOuter(all);
    }

    /// <summary>Rank <paramref name="root"/>'s bytes on every rank (the length travels first).</summary>
    public static byte[] BroadcastBytes(this ICommunicator communicator, byte[]? bytes, int root = 0)
    {
        if (communicator.Size == 1) return bytes ?? [];
        Span<byte> length = stackalloc byte[8];
        if (communicator.Rank == root) MemoryMarshal.Write(length, (long)(bytes?.Length ?? 0));
        communicator.Broadcast(length, root);
        var result = communicator.Rank == root ? bytes ?? [] : new byte[MemoryMarshal.Read<long>(length)];
        for (long offset = 0; offset < result.Length; offset += ChunkBytes)
            communicator.Broadcast(result.AsSpan((int)offset, (int)Math.Min(ChunkBytes, result.Length - offset)), root);
        return result;
    }

    /// <summary>The address of a contiguous CPU tensor's first element (libtorch memory does not move).</summary>
    private static IntPtr Pointer(Tensor tensor)
    {
        if (tensor.numel() == 0) return IntPtr.Zero;
        fixed (byte* data = tensor.bytes) return (IntPtr)data;
    }

    /// <summary>A contiguous CPU tensor holding <paramref name="tensor"/>'s values: the tensor itself when it already is one.</summary>
    private static Tensor Staged(Tensor tensor) =>
        tensor.device_type == DeviceType.CPU && tensor.is_contiguous() ? tensor : tensor.detach().cpu().contiguous();
}
