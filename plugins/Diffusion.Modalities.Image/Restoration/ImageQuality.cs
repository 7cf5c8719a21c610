namespace Diffusion.Modalities.Image.Restoration;

/// <summary>
/// Full-reference image quality on images with values in [0, 1]: PSNR and SSIM (Wang et al. 2004) with the
/// standard settings: an 11×11 Gaussian window of σ 1.5, K1 = 0.01, K2 = 0.03, data range 1, computed on the
/// valid part of the image (no padding), per channel, averaged over channels and positions.
/// </summary>
internal static class ImageQuality
{
    /// <summary>Side of the SSIM window; images must be at least this large.</summary>
    public const int SsimWindow = 11;

    /// <summary>Standard deviation of the SSIM window's Gaussian.</summary>
    public const double SsimSigma = 1.5;

    /// <summary>(K1·L)² with L = 1.</summary>
    public const double C1 = 0.01 * 0.01;

    /// <summary>(K2·L)² with L = 1.</summary>
    public const double C2 = 0.03 * 0.03;

    /// <summary>Model space ([−1, 1]) to [0, 1], clamped, as float64.</summary>
    public static Tensor ToUnit(Tensor modelSpace) =>
        ((modelSpace.detach().to_type(ScalarType.Float64) + 1) / 2).clamp(0, 1);

    /// <summary>PSNR in dB of each image of <paramref name="a"/> [N, ...] against <paramref name="b"/> (peak 1): [N], +∞ where they are equal.</summary>
    public static Tensor Psnr(Tensor a, Tensor b)
    {
        CheckSameShape(a, b);
        using var scope = NewDisposeScope();
        var mse = (a.to_type(ScalarType.Float64) - b.to_type(ScalarType.Float64)).square().flatten(1).mean([1]);
        return scope.MoveToOuter(-10 * mse.log10());
    }

    /// <summary>SSIM of each image of <paramref name="a"/> [N, C, H, W] against <paramref name="b"/>: [N], 1 where they are equal.</summary>
    /// <exception cref="ArgumentException">The images differ in shape or are smaller than the 11×11 window.</exception>
    public static Tensor Ssim(Tensor a, Tensor b)
    {
        CheckSameShape(a, b);
        if (a.dim() != 4) throw new ArgumentException($"SSIM takes images [N, C, H, W], got [{string.Join(", ", a.shape)}]", nameof(a));
        if (a.shape[2] < SsimWindow || a.shape[3] < SsimWindow)
            throw new ArgumentException($"SSIM uses an {SsimWindow}x{SsimWindow} window, so images must be at least {SsimWindow}x{SsimWindow} pixels (got {a.shape[2]}x{a.shape[3]})", nameof(a));
        using var scope = NewDisposeScope();
        long channels = a.shape[1];
        var x = a.to_type(ScalarType.Float64);
        var y = b.to_type(ScalarType.Float64).to(x.device);
        var window = GaussianWindow(x.device).expand(channels, 1, SsimWindow, SsimWindow);
        Tensor Blur(Tensor t) => nn.functional.conv2d(t, window, groups: channels);

        var muX = Blur(x);
        var muY = Blur(y);
        var varX = Blur(x * x) - muX * muX;
        var varY = Blur(y * y) - muY * muY;
        var cov = Blur(x * y) - muX * muY;
        var map = (2 * muX * muY + C1) * (2 * cov + C2) / ((muX * muX + muY * muY + C1) * (varX + varY + C2));
        return scope.MoveToOuter(map.flatten(1).mean([1]));
    }

    /// <summary>The normalised 11×11 Gaussian window [1, 1, 11, 11] (float64).</summary>
    public static Tensor GaussianWindow(Device device)
    {
        var g = new double[SsimWindow];
        int half = SsimWindow / 2;
        for (int i = 0; i < SsimWindow; i++) g[i] = Math.Exp(-(i - half) * (i - half) / (2 * SsimSigma * SsimSigma));
        double sum = g.Sum();
        var w = new double[SsimWindow * SsimWindow];
        for (int i = 0; i < SsimWindow; i++)
            for (int j = 0; j < SsimWindow; j++)
                w[i * SsimWindow + j] = g[i] * g[j] / (sum * sum);
        return tensor(w, dtype: ScalarType.Float64, device: device).reshape(1, 1, SsimWindow, SsimWindow);
    }

    /// <summary>The mean over images of a per-image score [N] (+∞ for PSNR when an image is exact).</summary>
    public static double Mean(Tensor perImage) => perImage.to_type(ScalarType.Float64).mean().item<double>();

    private static void CheckSameShape(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape))
            throw new ArgumentException($"images to compare must have the same shape, got [{string.Join(", ", a.shape)}] and [{string.Join(", ", b.shape)}]");
    }
}
