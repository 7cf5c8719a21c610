using Diffusion.Stages.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Diffusion.Stages.Tests.Training;

/// <summary>Gradient clipping on the device is libtorch's clip_grad_norm_, number for number, without reading the norm (issue 24).</summary>
public class DeviceClipTests
{
    /// <summary>Same shape, dtype and bytes.</summary>
    private static bool Same(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.contiguous().bytes.SequenceEqual(b.contiguous().bytes);

    /// <summary>Parameters of assorted shapes with random gradients of scale <paramref name="scale"/>; the last one has none.</summary>
    private static Parameter[] Parameters(long seed, double scale)
    {
        using var generator = new Generator((ulong)seed);
        long[][] shapes = [[16, 8, 3, 3], [16], [7, 5], [1], [300]];
        var parameters = shapes.Select(s => new Parameter(zeros(s))).ToArray();
        foreach (var p in parameters) p.grad = randn(p.shape, generator: generator) * scale;
        return [.. parameters, new Parameter(zeros(3))];
    }

    [Theory]
    [InlineData(0.05, 1.0)]   // clipped hard
    [InlineData(1.0, 1.0)]    // clipped a little
    [InlineData(1.0, 1e3)]    // norm below the limit: coefficient clamped at 1, gradients unchanged
    [InlineData(1e-3, 0.01)]  // tiny gradients, clipped
    public void Device_clipping_equals_clip_grad_norm_bit_for_bit(double scale, double maxNorm)
    {
        using var scope = NewDisposeScope();
        var ours = Parameters(11, scale);
        var reference = Parameters(11, scale);

        var gradients = DeviceClip.Gradients(ours);
        var norm = DeviceClip.TotalNorm(gradients);
        DeviceClip.Clip(gradients, norm, maxNorm);
        double expectedNorm = nn.utils.clip_grad_norm_(reference, maxNorm);
        var byParameters = Parameters(11, scale);
        DeviceClip.Clip(byParameters, maxNorm); // the form the lora and distill stages call

        Assert.Equal(5, gradients.Length);
        Assert.Equal(expectedNorm, norm.item<float>());
        for (int i = 0; i < 5; i++)
        {
            Assert.True(Same(ours[i].grad!, reference[i].grad!), $"gradient {i} differs from clip_grad_norm_'s");
            Assert.True(Same(byParameters[i].grad!, reference[i].grad!), $"gradient {i} of Clip(parameters) differs");
        }
        if (expectedNorm < maxNorm) Assert.True(Same(ours[0].grad!, Parameters(11, scale)[0].grad!), "below the limit the gradients stay as they are");
        else Assert.InRange(DeviceClip.TotalNorm(gradients).item<float>(), maxNorm * 0.999, maxNorm * 1.001);
    }

    [Fact]
    public void The_norm_is_the_norm_of_all_gradients_as_one_vector_and_nan_shows_in_it()
    {
        using var scope = NewDisposeScope();
        var parameters = Parameters(3, 0.5);
        var flat = cat(DeviceClip.Gradients(parameters).Select(g => g.flatten()).ToArray()).to_type(ScalarType.Float64);

        Assert.Equal(flat.square().sum().sqrt().item<double>(), DeviceClip.TotalNorm(DeviceClip.Gradients(parameters)).item<float>(), 5);
        Assert.Equal(0, DeviceClip.TotalNorm([]).item<float>());

        parameters[1].grad![3] = tensor(float.NaN);
        Assert.True(float.IsNaN(DeviceClip.TotalNorm(DeviceClip.Gradients(parameters)).item<float>()));
    }
}
