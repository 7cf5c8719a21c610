namespace Diffusion.Modalities.Image.Datasets;

/// <summary>
/// Procedural grey images of one filled circle, square or triangle of random size, position and brightness on
/// black, antialiased by 4x4 supersampling. Deterministic: a fixed seed per split (not the run's seed), so
/// every run sees the same data. Classes cycle circle, square, triangle.
/// </summary>
internal static class ShapesDataset
{
    public static readonly IReadOnlyList<string> ClassNames = ["circle", "square", "triangle"];

    private const int TrainSeed = 0x5EED_0001;
    private const int TestSeed = 0x5EED_7E57;
    private const int Supersampling = 4;

    /// <summary>The number of items of a split before any limit: the count for training, a further 25% for test.</summary>
    public static int SplitSize(DataSplit split, int count) => split == DataSplit.Train ? count : Math.Max(1, count / 4);

    public static ModalityData Generate(DataSplit split, int size, int count, int limit)
    {
        int n = SplitSize(split, count);
        if (limit > 0) n = Math.Min(n, limit);
        var rng = new Random(split == DataSplit.Train ? TrainSeed : TestSeed);
        var pixels = new float[(long)n * size * size];
        var labels = new long[n];
        for (int i = 0; i < n; i++)
        {
            int label = i % ClassNames.Count;
            labels[i] = label;
            Draw(pixels.AsSpan(i * size * size, size * size), size, label, rng);
        }
        var items = tensor(pixels, [n, 1, size, size], dtype: ScalarType.Float32);
        return new ModalityData(items, tensor(labels, dtype: ScalarType.Int64), ClassNames);
    }

    /// <summary>Draws one shape into <paramref name="image"/> (row-major, values in [−1, 1]).</summary>
    private static void Draw(Span<float> image, int size, int shape, Random rng)
    {
        // Half-extent between 22% and 36% of the side: 7 to 11.5 pixels across at 16x16.
        double r = size * (0.22 + 0.14 * rng.NextDouble());
        double margin = r + 0.5;
        double cx = margin + rng.NextDouble() * (size - 2 * margin);
        double cy = margin + rng.NextDouble() * (size - 2 * margin);
        double brightness = 0.6 + 0.4 * rng.NextDouble();
        var inside = Outline(shape, cx, cy, r);
        for (int py = 0; py < size; py++)
            for (int px = 0; px < size; px++)
                image[py * size + px] = (float)(Coverage(inside, px, py) * brightness * 2 - 1);
    }

    /// <summary>The inside test of shape <paramref name="shape"/> (0 circle, 1 square, 2 triangle) of half-extent r around (cx, cy).</summary>
    internal static Func<double, double, bool> Outline(int shape, double cx, double cy, double r) => shape switch
    {
        0 => (x, y) => (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r,
        1 => (x, y) => Math.Abs(x - cx) <= 0.85 * r && Math.Abs(y - cy) <= 0.85 * r,
        _ => Triangle(cx, cy, r),
    };

    /// <summary>The share of pixel (px, py) inside a shape, from a <see cref="Supersampling"/>² grid of sample points (anti-aliasing).</summary>
    internal static double Coverage(Func<double, double, bool> inside, int px, int py)
    {
        const double step = 1.0 / Supersampling;
        int hits = 0;
        for (int sy = 0; sy < Supersampling; sy++)
            for (int sx = 0; sx < Supersampling; sx++)
                if (inside(px + (sx + 0.5) * step, py + (sy + 0.5) * step)) hits++;
        return (double)hits / (Supersampling * Supersampling);
    }

    /// <summary>An upright triangle (apex at the top) inscribed in the circle of radius r around (cx, cy); its area is 1.6625·r².</summary>
    private static Func<double, double, bool> Triangle(double cx, double cy, double r)
    {
        double ax = cx, ay = cy - r;
        double bx = cx - r * 0.95, by = cy + r * 0.75;
        double qx = cx + r * 0.95, qy = cy + r * 0.75;
        return (x, y) =>
        {
            double d1 = Cross(ax, ay, bx, by, x, y);
            double d2 = Cross(bx, by, qx, qy, x, y);
            double d3 = Cross(qx, qy, ax, ay, x, y);
            bool anyNegative = d1 < 0 || d2 < 0 || d3 < 0;
            bool anyPositive = d1 > 0 || d2 > 0 || d3 > 0;
            return !(anyNegative && anyPositive);
        };
    }

    private static double Cross(double x1, double y1, double x2, double y2, double x, double y) =>
        (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1);
}
