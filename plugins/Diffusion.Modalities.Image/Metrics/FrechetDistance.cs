namespace Diffusion.Modalities.Image.Metrics;

/// <summary>
/// Fréchet distance between Gaussian fits of two feature sets (Dowson and Landau 1982; as in FID):
/// |μ1 − μ2|² + Tr(Σ1 + Σ2 − 2 (Σ1^½ Σ2 Σ1^½)^½), in double precision, with matrix square roots taken
/// through eigendecompositions of symmetric matrices (negative round-off eigenvalues clipped to 0).
/// </summary>
internal static class FrechetDistance
{
    /// <summary>Side of the pooled images whose pixels are the features.</summary>
    public const int PooledSide = 7;

    /// <summary>Images [N, C, H, W] to features [N, C·7·7] (average pooling), as float64 on the CPU.</summary>
    public static Tensor PixelFeatures(Tensor images)
    {
        using var scope = NewDisposeScope();
        var pooled = nn.functional.adaptive_avg_pool2d(images.detach().to_type(ScalarType.Float32), [PooledSide, PooledSide]);
        return scope.MoveToOuter(pooled.flatten(1).to(ScalarType.Float64, CPU));
    }

    /// <summary>The distance between the Gaussian fits of features <paramref name="a"/> [N, D] and <paramref name="b"/> [M, D] (N, M ≥ 2).</summary>
    public static double Between(Tensor a, Tensor b)
    {
        if (a.shape[0] < 2 || b.shape[0] < 2)
            throw new ArgumentException("the Fréchet distance needs at least 2 items on each side");
        if (a.shape[1] != b.shape[1])
            throw new ArgumentException($"feature sizes differ: {a.shape[1]} and {b.shape[1]}");
        using var scope = NewDisposeScope();
        var (mu1, sigma1) = Fit(a.to_type(ScalarType.Float64));
        var (mu2, sigma2) = Fit(b.to_type(ScalarType.Float64));
        double meanTerm = (mu1 - mu2).square().sum().item<double>();
        var root1 = SymmetricSqrt(sigma1);
        var product = root1.matmul(sigma2).matmul(root1);
        double crossTrace = TraceOfSqrt(product);
        double fd = meanTerm + sigma1.trace().item<double>() + sigma2.trace().item<double>() - 2 * crossTrace;
        return Math.Max(fd, 0.0);
    }

    private static (Tensor Mean, Tensor Covariance) Fit(Tensor x)
    {
        var mean = x.mean([0]);
        var centred = x - mean;
        var covariance = centred.t().matmul(centred) / (x.shape[0] - 1);
        return (mean, covariance);
    }

    /// <summary>S^½ of a symmetric positive semi-definite S.</summary>
    private static Tensor SymmetricSqrt(Tensor s)
    {
        var (values, vectors) = linalg.eigh(Symmetrise(s));
        return (vectors * values.clamp_min(0).sqrt().unsqueeze(0)).matmul(vectors.t());
    }

    /// <summary>Tr(M^½) of a symmetric positive semi-definite M: the sum of the roots of its eigenvalues.</summary>
    private static double TraceOfSqrt(Tensor m) =>
        linalg.eigvalsh(Symmetrise(m)).clamp_min(0).sqrt().sum().item<double>();

    private static Tensor Symmetrise(Tensor m) => (m + m.t()) / 2;
}
