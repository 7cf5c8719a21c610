using Diffusion.Plugins.Tests.Denoisers;
using Diffusion.PostProcessing.Image;

namespace Diffusion.Plugins.Tests.PostProcessing;

public class ImagePostProcessorTests
{
    private static readonly FakeRunContext Context = new();

    [Fact]
    public void Median_removes_salt_and_pepper_noise()
    {
        using var clean = full(new long[] { 1, 1, 9, 9 }, 0.2f);
        using var noisy = clean.clone();
        noisy[0, 0, 2, 3] = tensor(1f);
        noisy[0, 0, 6, 6] = tensor(-1f);
        noisy[0, 0, 0, 0] = tensor(1f); // a corner pixel too

        using var result = new MedianPostProcessor(new MedianOptions { KernelSize = 3 }).Process(noisy, Context);

        Assert.True(result.allclose(clean));
        Assert.Equal(1f, noisy[0, 0, 2, 3].item<float>()); // the input is not changed
    }

    [Theory]
    [InlineData(0.7, 0)]
    [InlineData(2.0, 5)]
    public void Blur_of_a_constant_is_the_constant(double sigma, int size)
    {
        using var image = full(new long[] { 2, 3, 7, 9 }, -0.4f);
        using var result = new GaussianBlurPostProcessor(new GaussianBlurOptions { Sigma = sigma, KernelSize = size }).Process(image, Context);
        Assert.Equal(image.shape, result.shape);
        Assert.True(result.allclose(image, atol: 1e-6));
    }

    [Fact]
    public void Blur_spreads_an_impulse_into_a_normalised_gaussian()
    {
        using var image = zeros(1, 1, 9, 9);
        image[0, 0, 4, 4] = tensor(1f);
        using var result = new GaussianBlurPostProcessor(new GaussianBlurOptions { Sigma = 1.0 }).Process(image, Context);
        Assert.Equal(1f, result.sum().item<float>(), 4);
        double centre = 1 / (2 * Math.PI), side = Math.Exp(-0.5) / (2 * Math.PI); // continuous Gaussian, close to the sampled one
        Assert.InRange(result[0, 0, 4, 4].item<float>(), centre * 0.9, centre * 1.1);
        Assert.InRange(result[0, 0, 4, 5].item<float>(), side * 0.9, side * 1.1);
    }

    [Theory]
    [InlineData(ResizeMode.Bilinear)]
    [InlineData(ResizeMode.Bicubic)]
    [InlineData(ResizeMode.Lanczos)]
    public void Resize_of_a_constant_is_the_constant_at_the_new_size(ResizeMode mode)
    {
        using var image = full(new long[] { 2, 3, 8, 8 }, 0.3f);
        using var up = new ResizePostProcessor(new ResizeOptions { Height = 20, Width = 12, Mode = mode }).Process(image, Context);
        using var down = new ResizePostProcessor(new ResizeOptions { Height = 3, Mode = mode }).Process(image, Context);
        Assert.Equal([2L, 3L, 20L, 12L], up.shape);
        Assert.Equal([2L, 3L, 3L, 3L], down.shape);
        Assert.True(up.allclose(image.narrow(2, 0, 1).narrow(3, 0, 1).expand(2, 3, 20, 12), atol: 1e-5));
        Assert.True(down.allclose(full(new long[] { 2, 3, 3, 3 }, 0.3f), atol: 1e-5));
    }

    [Fact]
    public void Lanczos_to_the_same_size_is_the_identity_and_rows_sum_to_one()
    {
        using var matrix = ResizePostProcessor.LanczosMatrix(6, 6);
        Assert.True(matrix.allclose(eye(6), atol: 1e-6));
        using var shrink = ResizePostProcessor.LanczosMatrix(10, 4);
        Assert.True(shrink.sum(1).allclose(ones(4), atol: 1e-5));
    }

    [Fact]
    public void Dynamic_threshold_bounds_each_sample_and_leaves_tame_samples_alone()
    {
        manual_seed(4);
        using var wild = randn(1, 1, 16, 16) * 3;
        using var tame = rand(1, 1, 16, 16) * 1.6 - 0.8; // within [-0.8, 0.8]: s = max(1, p) = 1, nothing changes
        using var both = cat([wild, tame]);

        using var result = new DynamicThresholdPostProcessor(new DynamicThresholdOptions { Percentile = 0.9 }).Process(both, Context);

        Assert.True(result.abs().le(1.0 + 1e-6).all().item<bool>());
        Assert.True(result[1].allclose(tame[0]));
        using var p = DynamicThresholdPostProcessor.Percentile(wild.abs().reshape(1, -1), 0.9);
        double s = p.item<float>();
        Assert.True(s > 1);
        Assert.True(result[0].allclose(wild[0].clamp(-s, s) / s, atol: 1e-6));
    }

    [Theory]
    [InlineData(ColorMatchMode.MeanStd)]
    [InlineData(ColorMatchMode.Histogram)]
    public void Color_match_moves_each_channel_to_the_reference_mean_and_std(ColorMatchMode mode)
    {
        manual_seed(5);
        using var reference = cat([randn(40, 1, 8, 8) * 0.2 + 0.5, randn(40, 1, 8, 8) * 0.5 - 0.3], dim: 1);
        using var samples = randn(3, 2, 8, 8) * 0.05 - 0.9;

        using var result = ColorMatchPostProcessor.Match(samples, reference, mode, strength: 1.0);

        double tolerance = mode == ColorMatchMode.MeanStd ? 1e-4 : 0.06;
        for (int c = 0; c < 2; c++)
        {
            var refChannel = reference.select(1, c);
            var channel = result[0].select(0, c);
            Assert.Equal(refChannel.mean().item<float>(), channel.mean().item<float>(), tolerance);
            Assert.Equal(refChannel.std(unbiased: false).item<float>(), channel.std(unbiased: false).item<float>(), tolerance);
        }
        using var none = ColorMatchPostProcessor.Match(samples, reference, mode, strength: 0.0);
        Assert.True(none.allclose(samples));
    }

    [Fact]
    public void Unsharp_mask_leaves_constants_and_sharpens_edges()
    {
        using var flat = full(new long[] { 1, 1, 6, 6 }, 0.1f);
        var sharpen = new UnsharpMaskPostProcessor(new UnsharpMaskOptions { Sigma = 1, Amount = 1 });
        Assert.True(sharpen.Process(flat, Context).allclose(flat, atol: 1e-6));
        using var edge = cat([full(new long[] { 1, 1, 6, 3 }, -0.5f), full(new long[] { 1, 1, 6, 3 }, 0.5f)], dim: 3);
        using var result = sharpen.Process(edge, Context);
        Assert.True(result[0, 0, 0, 3].item<float>() > 0.5f);   // overshoot on the bright side of the edge
        Assert.True(result[0, 0, 0, 2].item<float>() < -0.5f);
        var thresholded = new UnsharpMaskPostProcessor(new UnsharpMaskOptions { Sigma = 1, Amount = 1, Threshold = 2.0 }).Process(edge, Context);
        Assert.True(thresholded.allclose(edge));                  // detail below the threshold is left alone
    }

    [Fact]
    public void Bad_parameters_are_validation_errors()
    {
        Assert.Contains(Networks.Validate(new MedianOptions { KernelSize = 4 }), r => r.ErrorMessage!.Contains("odd"));
        Assert.NotEmpty(Networks.Validate(new MedianOptions { KernelSize = 1 }));
        Assert.Contains(Networks.Validate(new GaussianBlurOptions { KernelSize = 6 }), r => r.ErrorMessage!.Contains("odd"));
        Assert.NotEmpty(Networks.Validate(new GaussianBlurOptions { Sigma = 0 }));
        Assert.NotEmpty(Networks.Validate(new DynamicThresholdOptions { Percentile = 1.5 }));
        Assert.NotEmpty(Networks.Validate(new ResizeOptions { Height = 0 }));
        Assert.NotEmpty(Networks.Validate(new UnsharpMaskOptions { Amount = -1 }));
        Assert.NotEmpty(Networks.Validate(new ColorMatchOptions()));   // data is required
        Assert.NotEmpty(Networks.Validate(new ColorMatchOptions { Data = "d", Strength = 2 }));
    }
}
