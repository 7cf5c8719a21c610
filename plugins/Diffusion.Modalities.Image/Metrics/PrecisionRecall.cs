namespace Diffusion.Modalities.Image.Metrics;

/// <summary>
/// Improved precision and recall (Kynkäänniemi et al. 2019). Each feature vector of a set is the centre of a ball
/// reaching its k-th nearest neighbour in that set; the union of a set's balls estimates its manifold. Precision is
/// the share of samples inside the real manifold (are samples realistic?), recall the share of real items inside the
/// samples' manifold (is the data's variety covered?).
/// </summary>
internal static class PrecisionRecall
{
    private const int Chunk = 1024;

    /// <summary>Precision and recall of <paramref name="fake"/> [N, D] against <paramref name="real"/> [M, D].</summary>
    public static (double Precision, double Recall) Compute(Tensor real, Tensor fake, int k)
    {
        if (real.shape[0] <= k || fake.shape[0] <= k)
            throw new ArgumentException($"precision-recall with k = {k} needs more than {k} items on each side");
        using var scope = NewDisposeScope();
        var realRadii = Radii(real, k);
        var fakeRadii = Radii(fake, k);
        return (Coverage(fake, real, realRadii), Coverage(real, fake, fakeRadii));
    }

    /// <summary>Distance of each item of <paramref name="set"/> to its k-th nearest other item.</summary>
    public static Tensor Radii(Tensor set, int k)
    {
        var parts = new List<Tensor>();
        for (long start = 0; start < set.shape[0]; start += Chunk)
        {
            var rows = set.narrow(0, start, Math.Min(Chunk, set.shape[0] - start));
            // The smallest distance is the item to itself (0); the (k+1)-th smallest is its k-th neighbour.
            var (values, _) = cdist(rows, set).topk(k + 1, dim: 1, largest: false, sorted: true);
            parts.Add(values[.., k]);
        }
        return cat(parts.ToArray());
    }

    /// <summary>Share of <paramref name="queries"/> within the radius of at least one item of <paramref name="centres"/>.</summary>
    public static double Coverage(Tensor queries, Tensor centres, Tensor radii)
    {
        long inside = 0;
        for (long start = 0; start < queries.shape[0]; start += Chunk)
        {
            using var scope = NewDisposeScope();
            var rows = queries.narrow(0, start, Math.Min(Chunk, queries.shape[0] - start));
            inside += (cdist(rows, centres) <= radii.unsqueeze(0)).any(1).sum().item<long>();
        }
        return (double)inside / queries.shape[0];
    }
}
