using Diffusion.Modalities.Image.Restoration;

namespace Diffusion.Plugins.Tests.Restoration;

public class ImageQualityTests
{
    [Fact]
    public void Identical_images_have_infinite_psnr_and_ssim_one()
    {
        using var scope = NewDisposeScope();
        var a = rand(3, 1, 16, 16, dtype: ScalarType.Float64);

        Assert.All(ImageQuality.Psnr(a, a.clone()).data<double>().ToArray(), v => Assert.Equal(double.PositiveInfinity, v));
        Assert.All(ImageQuality.Ssim(a, a.clone()).data<double>().ToArray(), v => Assert.Equal(1.0, v, 12));
    }

    [Fact]
    public void Psnr_of_a_uniform_shift_of_a_tenth_is_20_db()
    {
        using var scope = NewDisposeScope();
        var a = rand(2, 3, 12, 12, dtype: ScalarType.Float64) * 0.8;

        var psnr = ImageQuality.Psnr(a, a + 0.1).data<double>().ToArray();

        Assert.All(psnr, v => Assert.Equal(20.0, v, 9)); // MSE 0.01 -> 10·log10(1/0.01)
    }

    [Theory]
    [InlineData(0.5, 0.5)]
    [InlineData(0.2, 0.7)]
    [InlineData(0.0, 1.0)]
    public void Ssim_of_constant_images_is_the_luminance_term(double c1, double c2)
    {
        using var scope = NewDisposeScope();
        var a = full(1, 1, 13, 13, c1, dtype: ScalarType.Float64);
        var b = full(1, 1, 13, 13, c2, dtype: ScalarType.Float64);

        double expected = (2 * c1 * c2 + ImageQuality.C1) / (c1 * c1 + c2 * c2 + ImageQuality.C1); // no variance: the contrast term is 1

        Assert.Equal(expected, ImageQuality.Ssim(a, b).item<double>(), 10);
    }

    [Fact]
    public void Ssim_matches_a_direct_evaluation_of_the_definition()
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(7);
        var a = rand([2, 2, 12, 14], dtype: ScalarType.Float64, generator: generator);
        var b = (a + 0.2 * randn([2, 2, 12, 14], dtype: ScalarType.Float64, generator: generator)).clamp(0, 1);

        var fast = ImageQuality.Ssim(a, b).data<double>().ToArray();

        for (int n = 0; n < 2; n++)
            Assert.Equal(DirectSsim(a[n], b[n]), fast[n], 10);
        Assert.InRange(fast[0], 0.05, 0.95);
    }

    [Fact]
    public void Ssim_falls_as_noise_grows()
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(3);
        var a = rand([1, 1, 16, 16], dtype: ScalarType.Float64, generator: generator);
        var noise = randn([1, 1, 16, 16], dtype: ScalarType.Float64, generator: generator);

        double small = ImageQuality.Ssim(a, a + 0.05 * noise).item<double>();
        double large = ImageQuality.Ssim(a, a + 0.3 * noise).item<double>();

        Assert.True(1 > small && small > large, $"{small} then {large}");
    }

    [Fact]
    public void Images_smaller_than_the_window_are_refused()
    {
        using var scope = NewDisposeScope();
        var a = rand(1, 1, 10, 16);

        var error = Assert.Throws<ArgumentException>(() => ImageQuality.Ssim(a, a));
        Assert.Contains("11x11", error.Message);
    }

    [Fact]
    public void Model_space_maps_to_the_unit_range()
    {
        using var scope = NewDisposeScope();
        var unit = ImageQuality.ToUnit(tensor(new float[] { -1, 0, 1, 3 })).data<double>().ToArray();

        Assert.Equal(new[] { 0.0, 0.5, 1.0, 1.0 }, unit);
    }

    /// <summary>SSIM straight from Wang et al. 2004 with loops: Gaussian-weighted statistics of every 11x11 window.</summary>
    private static double DirectSsim(Tensor x, Tensor y)
    {
        var a = x.data<double>().ToArray();
        var b = y.data<double>().ToArray();
        int channels = (int)x.shape[0], height = (int)x.shape[1], width = (int)x.shape[2];
        var g = new double[11];
        for (int i = 0; i < 11; i++) g[i] = Math.Exp(-(i - 5) * (i - 5) / (2 * 1.5 * 1.5));
        double norm = g.Sum() * g.Sum();
        double total = 0;
        int windows = 0;
        for (int c = 0; c < channels; c++)
        {
            for (int top = 0; top + 11 <= height; top++)
            {
                for (int left = 0; left + 11 <= width; left++)
                {
                    double ma = 0, mb = 0, saa = 0, sbb = 0, sab = 0;
                    for (int i = 0; i < 11; i++)
                    {
                        for (int j = 0; j < 11; j++)
                        {
                            double w = g[i] * g[j] / norm;
                            int at = (c * height + top + i) * width + left + j;
                            ma += w * a[at]; mb += w * b[at];
                            saa += w * a[at] * a[at]; sbb += w * b[at] * b[at]; sab += w * a[at] * b[at];
                        }
                    }
                    double va = saa - ma * ma, vb = sbb - mb * mb, cov = sab - ma * mb;
                    total += (2 * ma * mb + 0.0001) * (2 * cov + 0.0009) / ((ma * ma + mb * mb + 0.0001) * (va + vb + 0.0009));
                    windows++;
                }
            }
        }
        return total / windows;
    }
}
