namespace Diffusion.Modalities.Image.Metrics;

/// <summary>
/// Share of samples that copy a training image, by the nearest-neighbour ratio test of Yoon et al. (2023): a sample is
/// a copy when the pixel-space (L2) distance to its nearest training image is less than <c>ratio</c> times the
/// distance to the second nearest. A copy sits next to one training image; a new image is about as far from several.
/// </summary>
internal static class Memorization
{
    private const int Chunk = 256;

    /// <summary>The share of <paramref name="samples"/> [N, ...] that copy one of <paramref name="train"/> [M, ...] (M ≥ 2).</summary>
    public static double Share(Tensor samples, Tensor train, double ratio)
    {
        if (train.shape[0] < 2) throw new ArgumentException("memorization needs at least 2 training images");
        using var scope = NewDisposeScope();
        var reference = train.flatten(1).to_type(ScalarType.Float32);
        var queries = samples.flatten(1).to_type(ScalarType.Float32).clamp(-1, 1);
        long copies = 0;
        for (long start = 0; start < queries.shape[0]; start += Chunk)
        {
            using var inner = NewDisposeScope();
            var rows = queries.narrow(0, start, Math.Min(Chunk, queries.shape[0] - start));
            var (nearest, _) = cdist(rows, reference).topk(2, dim: 1, largest: false, sorted: true);
            copies += (nearest[.., 0] < nearest[.., 1] * ratio).sum().item<long>();
        }
        return (double)copies / queries.shape[0];
    }
}
