using System.Diagnostics;
using System.Security.Cryptography;
using Diffusion.Abstractions.Distributed;
using TorchSharp;
using TorchSharp.Modules;

namespace Diffusion.Stages.Training;

/// <summary>
/// The train stage's side of data parallelism (docs/distributed.md): the starting weights come from rank 0, each
/// step's gradients are averaged over the ranks in buckets (each bucket flattened into one contiguous CPU float buffer,
/// all-reduced, and copied back; GPU gradients are staged through it), and the ranks' states are compared by digest.
/// With one rank every member is a no-op, so a single process trains exactly as before.
/// </summary>
internal sealed class DataParallel(ICommunicator communicator) : IDisposable
{
    /// <summary>Floats per all-reduce bucket (16 MiB): large enough that the per-call latency is small, small enough to stage.</summary>
    public const long BucketElements = 4L << 20;

    private Tensor? _buffer;
    private readonly Stopwatch _communication = new();

    /// <summary>This rank.</summary>
    public int Rank => communicator.Rank;

    /// <summary>Number of ranks.</summary>
    public int Size => communicator.Size;

    /// <summary>Seconds spent averaging gradients (copies included).</summary>
    public double CommunicationSeconds => _communication.Elapsed.TotalSeconds;

    /// <summary>Makes every rank's weights (parameters and buffers) rank 0's.</summary>
    public void BroadcastFromRankZero(nn.Module network)
    {
        if (Size == 1) return;
        communicator.Broadcast(network.parameters().Select(p => (Tensor)p).Concat(network.buffers()), root: 0);
    }

    /// <summary>
    /// As <see cref="AverageGradients(IEnumerable{Parameter}, double)"/> for a loss still on the device (a one-element
    /// tensor): with one rank it is returned as it is, nothing read; with several the gradients pass through host memory
    /// anyway, and the loss is read (as the float it is) and averaged with them, and returned as a float64 tensor on its device.
    /// </summary>
    public Tensor AverageGradients(IEnumerable<Parameter> parameters, Tensor localLoss)
    {
        if (Size == 1) return localLoss;
        double mean = AverageGradients(parameters, (double)localLoss.to_type(ScalarType.Float32).item<float>());
        return tensor(mean, ScalarType.Float64, localLoss.device);
    }

    /// <summary>
    /// Replaces every gradient by its mean over the ranks and returns the mean of <paramref name="localLoss"/> over the
    /// ranks (each rank's loss is the mean over its equal share of the global batch, so this is the global batch's mean).
    /// </summary>
    public double AverageGradients(IEnumerable<Parameter> parameters, double localLoss)
    {
        if (Size == 1) return localLoss;
        _communication.Start();
        try
        {
            var gradients = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToList();
            long largest = Math.Min(BucketElements, gradients.Count == 0 ? 1 : gradients.Max(g => g.numel()));
            long needed = Math.Max(largest, Math.Min(BucketElements, gradients.Sum(g => g.numel())));
            if (_buffer is null || _buffer.numel() < needed)
            {
                _buffer?.Dispose();
                _buffer = zeros(needed, dtype: ScalarType.Float32).DetachFromDisposeScope(); // lives across steps
            }
            using (no_grad())
            {
                int first = 0;
                while (first < gradients.Count)
                {
                    long size = 0;
                    int end = first;
                    while (end < gradients.Count && (end == first || size + gradients[end].numel() <= BucketElements))
                        size += gradients[end++].numel();
                    Reduce(gradients, first, end, size);
                    first = end;
                }
            }
            Span<double> loss = [localLoss];
            communicator.AllReduceSum(loss);
            return loss[0] / Size;
        }
        finally
        {
            _communication.Stop();
        }
    }

    /// <summary>
    /// Throws when any rank's weights, average, optimizer state or step differ from rank 0's (the ranks diverged); returns
    /// this rank's digest (SHA-256, hex) of them.
    /// </summary>
    public string CheckSameState(DenoiserModule network, DenoiserModule? average, optim.Optimizer optimizer, long step)
    {
        byte[] digest = Digest(network, average, optimizer, step);
        if (Size == 1) return Convert.ToHexStringLower(digest);
        var all = new byte[digest.Length * Size];
        communicator.AllGather(digest, all, Enumerable.Repeat(digest.Length, Size).ToArray());
        for (int r = 1; r < Size; r++)
            if (!all.AsSpan(r * digest.Length, digest.Length).SequenceEqual(all.AsSpan(0, digest.Length)))
                throw new InvalidOperationException(
                    $"after step {step} rank {r}'s weights, EMA or optimizer state differ from rank 0's: the ranks diverged (a rank drew different data or ran different code)");
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>SHA-256 of the step, the weights, the average and the optimizer's state.</summary>
    public static byte[] Digest(DenoiserModule network, DenoiserModule? average, optim.Optimizer optimizer, long step)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(BitConverter.GetBytes(step));
        foreach (var module in new[] { network, average })
        {
            if (module is null) continue;
            foreach (var (name, tensor) in module.state_dict())
            {
                using var scope = NewDisposeScope();
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes(name));
                var host = tensor.detach().cpu().contiguous();
                if (host.numel() > 0) hash.AppendData(host.bytes);
            }
        }
        if (optimizer is OptimizerHelper helper)
        {
            string file = Path.Combine(Path.GetTempPath(), $"diffusion-optimizer-{Environment.ProcessId}-{Guid.NewGuid():N}.bin");
            try
            {
                helper.save_state_dict(file);
                hash.AppendData(File.ReadAllBytes(file));
            }
            finally
            {
                File.Delete(file);
            }
        }
        return hash.GetHashAndReset();
    }

    public void Dispose() => _buffer?.Dispose();

    private void Reduce(List<Tensor> gradients, int first, int end, long size)
    {
        var flat = _buffer!.narrow(0, 0, size);
        long offset = 0;
        for (int i = first; i < end; i++)
        {
            long n = gradients[i].numel();
            flat.narrow(0, offset, n).copy_(gradients[i].reshape(-1)); // from a GPU: staged through host memory
            offset += n;
        }
        communicator.AllReduceSum(flat);
        flat.div_(Size);
        offset = 0;
        for (int i = first; i < end; i++)
        {
            long n = gradients[i].numel();
            gradients[i].copy_(flat.narrow(0, offset, n).view_as(gradients[i]));
            offset += n;
        }
        flat.Dispose();
    }
}
