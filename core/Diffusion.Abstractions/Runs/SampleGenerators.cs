using TorchSharp;
using static TorchSharp.torch;

namespace Diffusion.Abstractions.Runs;

/// <summary>
/// One CPU generator per sample of a batch, so that sample i's noise depends only on (seed, stream, i).
/// Noise is drawn on the CPU and moved to the target device, so CPU and CUDA runs see the same noise.
/// </summary>
public sealed class SampleGenerators : IDisposable
{
    private readonly Generator[] _generators;

    /// <summary>Creates generators for samples <paramref name="first"/> .. first+count−1.</summary>
    public SampleGenerators(long seed, string stream, long first, int count)
    {
        _generators = new Generator[count];
        ulong streamHash = StableHash(stream);
        for (int i = 0; i < count; i++)
            _generators[i] = new Generator(Mix((ulong)seed ^ streamHash, (ulong)(first + i)));
    }

    /// <summary>Number of samples.</summary>
    public int Count => _generators.Length;

    /// <summary>Standard normal noise [Count, ...itemShape]; row i from generator i.</summary>
    public Tensor Randn(long[] itemShape, Device device, ScalarType dtype = ScalarType.Float32) =>
        Draw(itemShape, device, dtype, static (row, generator) => row.normal_(0, 1, generator));

    /// <summary>Uniform [0, 1) values [Count, ...itemShape]; row i from generator i.</summary>
    public Tensor Rand(long[] itemShape, Device device, ScalarType dtype = ScalarType.Float32) =>
        Draw(itemShape, device, dtype, static (row, generator) => row.uniform_(0, 1, generator));

    /// <summary>
    /// Fills each row of one CPU tensor in place from its own generator (what <c>randn</c>/<c>rand</c> with that generator
    /// would draw: they fill a fresh tensor the same way), then moves the batch to <paramref name="device"/> in one copy:
    /// from pinned memory without waiting on a CUDA device, where a copy from ordinary memory would wait for the device's
    /// queued work first.
    /// </summary>
    private Tensor Draw(long[] itemShape, Device device, ScalarType dtype, Action<Tensor, Generator> fill)
    {
        using var scope = NewDisposeScope();
        var batch = empty([_generators.Length, .. itemShape], dtype: dtype);
        for (int i = 0; i < _generators.Length; i++)
        {
            using var row = batch[i];
            fill(row, _generators[i]);
        }
        if (device.type == DeviceType.CPU) return scope.MoveToOuter(batch);
        if (device.type == DeviceType.CUDA) return scope.MoveToOuter(batch.pin_memory().to(device, non_blocking: true));
        return scope.MoveToOuter(batch.to(device));
    }

    /// <summary>SplitMix64 of a seed and an index: well-spread, platform-independent generator seeds.</summary>
    public static ulong Mix(ulong seed, ulong index)
    {
        ulong z = seed + 0x9E3779B97F4A7C15UL * (index + 1);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong StableHash(string s)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in s) { h ^= c; h *= 1099511628211UL; }
        return h;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var g in _generators) g.Dispose();
    }
}
