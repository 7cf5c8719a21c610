using Diffusion.Abstractions.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Diffusion.Core.Tests.Runs;

/// <summary>
/// A batch's noise is written row by row into one tensor (issue 24) and is still, bit for bit, what each sample's own
/// generator draws alone with randn/rand: the same numbers as before, whatever the batch size.
/// </summary>
public class SampleGeneratorsTests
{
    /// <summary>Same shape, dtype and bytes.</summary>
    private static bool Same(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.contiguous().bytes.SequenceEqual(b.contiguous().bytes);

    /// <summary>Sample i's generator as SampleGenerators seeds it: SplitMix64 of (seed ^ FNV-1a(stream), i).</summary>
    private static Generator Own(long seed, string stream, long index)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in stream) { h ^= c; h *= 1099511628211UL; }
        return new Generator(SampleGenerators.Mix((ulong)seed ^ h, (ulong)index));
    }

    [Theory]
    [InlineData(ScalarType.Float32, new long[] { 3, 8, 8 })] // 192 values a row: libtorch's vectorised normal path
    [InlineData(ScalarType.Float32, new long[] { 5 })]       // under 16: its scalar path
    [InlineData(ScalarType.Float64, new long[] { 2, 9 })]
    public void Each_row_is_what_its_own_generator_draws_alone(ScalarType dtype, long[] shape)
    {
        using var scope = NewDisposeScope();
        using var generators = new SampleGenerators(42, "sample", 10, 4);

        var normal = generators.Randn(shape, CPU, dtype);
        var uniform = generators.Rand(shape, CPU, dtype);

        Assert.Equal([4, .. shape], normal.shape);
        Assert.Equal(dtype, normal.dtype);
        for (int i = 0; i < 4; i++)
        {
            using var g = Own(42, "sample", 10 + i);
            var expectedNormal = randn(shape, dtype: dtype, generator: g);
            var expectedUniform = rand(shape, dtype: dtype, generator: g); // the generator goes on from the normal draw, as above
            Assert.True(Same(normal[i], expectedNormal), $"row {i} of Randn");
            Assert.True(Same(uniform[i], expectedUniform), $"row {i} of Rand");
        }
    }

    [Fact]
    public void Sample_i_is_the_same_whatever_the_batch_it_is_drawn_in()
    {
        using var scope = NewDisposeScope();
        using var whole = new SampleGenerators(7, "sample", 0, 6);
        using var part = new SampleGenerators(7, "sample", 2, 3);
        using var single = new SampleGenerators(7, "sample", 4, 1);

        var a = whole.Randn([2, 4, 4], CPU);
        Assert.True(Same(a.narrow(0, 2, 3), part.Randn([2, 4, 4], CPU)));
        Assert.True(Same(a.narrow(0, 4, 1), single.Randn([2, 4, 4], CPU)));
        Assert.False(Same(a[0], a[1]));
    }
}
