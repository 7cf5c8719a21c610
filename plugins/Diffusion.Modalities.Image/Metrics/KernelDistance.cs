namespace Diffusion.Modalities.Image.Metrics;

/// <summary>
/// Kernel distance (KID's method, Bińkowski et al. 2018): the unbiased estimate of the squared maximum mean
/// discrepancy with the cubic polynomial kernel k(x, y) = (x·y / d + 1)³, averaged over random subsets of equal size
/// drawn with a fixed seed, so the same features always give the same value. Near 0 (and possibly slightly negative)
/// for sets from the same distribution.
/// </summary>
internal static class KernelDistance
{
    private const ulong Seed = 0x4B1D;

    /// <summary>The mean unbiased MMD² between subsets of <paramref name="a"/> [N, D] and <paramref name="b"/> [M, D].</summary>
    public static double Between(Tensor a, Tensor b, int subsetSize, int subsets)
    {
        int m = (int)Math.Min(subsetSize, Math.Min(a.shape[0], b.shape[0]));
        if (m < 2) throw new ArgumentException("the kernel distance needs at least 2 items on each side");
        using var generator = new Generator(Seed, CPU);
        double total = 0;
        for (int s = 0; s < subsets; s++)
        {
            using var scope = NewDisposeScope();
            var x = a.index_select(0, randperm(a.shape[0], generator: generator).narrow(0, 0, m)).to_type(ScalarType.Float64);
            var y = b.index_select(0, randperm(b.shape[0], generator: generator).narrow(0, 0, m)).to_type(ScalarType.Float64);
            total += UnbiasedMmd2(x, y);
        }
        return total / subsets;
    }

    /// <summary>The unbiased MMD² of two sets of m items each: off-diagonal means of k(x, x') and k(y, y'), minus twice the mean of k(x, y).</summary>
    public static double UnbiasedMmd2(Tensor x, Tensor y)
    {
        long m = x.shape[0];
        double d = x.shape[1];
        var kxx = (x.matmul(x.t()) / d + 1).pow(3);
        var kyy = (y.matmul(y.t()) / d + 1).pow(3);
        var kxy = (x.matmul(y.t()) / d + 1).pow(3);
        double within = ((kxx.sum() - kxx.trace()) + (kyy.sum() - kyy.trace())).item<double>() / (m * (m - 1));
        return within - 2 * kxy.mean().item<double>();
    }
}
