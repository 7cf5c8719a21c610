using Diffusion.Modalities.Image.Datasets;

namespace Diffusion.Modalities.CrossModal.Captions;

/// <summary>
/// Procedural RGB images of one filled shape on black, with a caption that names its four attributes: shape (circle,
/// square, triangle), colour (red, green, blue, yellow), size (small, large) and position (top left, top right, bottom
/// left, bottom right, center), e.g. "a large red circle at the top left". Size is an area: a small shape covers 2.5-3.5%
/// of the image, a large one 8.5-11%, whatever its shape, so size (like colour and position) can be read back from the
/// pixels (<see cref="AttributeReader"/>). Antialiased by 4x4 supersampling. Deterministic: a fixed seed per split (not
/// the run's seed); shapes cycle circle, square, triangle and the other attributes are drawn from the split's stream.
/// The label of an item is its attribute combination (<see cref="Combination"/>), one of <see cref="CombinationCount"/>.
/// </summary>
internal static class CaptionedShapes
{
    public static readonly IReadOnlyList<string> Shapes = ["circle", "square", "triangle"];
    public static readonly IReadOnlyList<string> Colours = ["red", "green", "blue", "yellow"];
    public static readonly IReadOnlyList<string> Sizes = ["small", "large"];
    public static readonly IReadOnlyList<string> Positions = ["top left", "top right", "bottom left", "bottom right", "center"];

    /// <summary>The attributes in the column order of the attribute table.</summary>
    public static readonly IReadOnlyList<CaptionAttribute> Attributes =
    [
        new("shape", Shapes), new("colour", Colours), new("size", Sizes), new("position", Positions),
    ];

    /// <summary>The RGB of each colour, in [0, 1].</summary>
    public static readonly IReadOnlyList<(float R, float G, float B)> Palette = [(1f, 0.1f, 0.1f), (0.1f, 0.85f, 0.1f), (0.15f, 0.25f, 1f), (1f, 0.9f, 0.1f)];

    /// <summary>Centre of each position, as fractions of the side (x, y), before a jitter of up to ±<see cref="Jitter"/>.</summary>
    public static readonly IReadOnlyList<(double X, double Y)> Anchors = [(0.3, 0.3), (0.7, 0.3), (0.3, 0.7), (0.7, 0.7), (0.5, 0.5)];

    /// <summary>Largest shift of a shape's centre from its anchor, as a fraction of the side.</summary>
    public const double Jitter = 0.03;

    /// <summary>Area ranges (fractions of the image) of small and large shapes.</summary>
    public static readonly IReadOnlyList<(double Min, double Max)> Areas = [(0.025, 0.035), (0.085, 0.11)];

    /// <summary>Number of attribute combinations (the classes): 3 · 4 · 2 · 5 = 120.</summary>
    public static int CombinationCount => Shapes.Count * Colours.Count * Sizes.Count * Positions.Count;

    private const int TrainSeed = 0x5EED_CA01;
    private const int TestSeed = 0x5EED_CA7E;

    /// <summary>The class index of an attribute combination.</summary>
    public static int Combination(int shape, int colour, int size, int position) =>
        ((shape * Colours.Count + colour) * Sizes.Count + size) * Positions.Count + position;

    /// <summary>The attributes (shape, colour, size, position) of class <paramref name="combination"/>.</summary>
    public static int[] AttributesOf(int combination)
    {
        int position = combination % Positions.Count;
        int rest = combination / Positions.Count;
        int size = rest % Sizes.Count;
        rest /= Sizes.Count;
        return [rest / Colours.Count, rest % Colours.Count, size, position];
    }

    /// <summary>The caption of an attribute combination: "a large red circle at the top left", "a small blue square in the center".</summary>
    public static string Caption(int shape, int colour, int size, int position) =>
        $"a {Sizes[size]} {Colours[colour]} {Shapes[shape]} {(Positions[position] == "center" ? "in" : "at")} the {Positions[position]}";

    /// <summary>The caption of class <paramref name="combination"/>.</summary>
    public static string Caption(int combination)
    {
        var a = AttributesOf(combination);
        return Caption(a[0], a[1], a[2], a[3]);
    }

    /// <summary>The captions of all classes, in class order (the class names).</summary>
    public static IReadOnlyList<string> ClassNames { get; } = Enumerable.Range(0, CombinationCount).Select(Caption).ToArray();

    /// <summary>The number of items of a split before any limit: the count for training, a further 25% for test.</summary>
    public static int SplitSize(DataSplit split, int count) => split == DataSplit.Train ? count : Math.Max(1, count / 4);

    /// <summary>Generates a split: images [N, 3, S, S] in [−1, 1], and each item's attributes [shape, colour, size, position].</summary>
    public static (Tensor Images, int[][] Attributes) Generate(DataSplit split, int size, int count, int limit)
    {
        int n = SplitSize(split, count);
        if (limit > 0) n = Math.Min(n, limit);
        var rng = new Random(split == DataSplit.Train ? TrainSeed : TestSeed);
        int plane = size * size;
        var pixels = new float[(long)n * 3 * plane];
        var attributes = new int[n][];
        for (int i = 0; i < n; i++)
        {
            int shape = i % Shapes.Count;
            int colour = rng.Next(Colours.Count);
            int area = rng.Next(Sizes.Count);
            int position = rng.Next(Positions.Count);
            attributes[i] = [shape, colour, area, position];
            Draw(pixels.AsSpan(i * 3 * plane, 3 * plane), size, attributes[i], rng);
        }
        return (tensor(pixels, [n, 3, size, size], dtype: ScalarType.Float32), attributes);
    }

    /// <summary>Draws one shape into <paramref name="image"/> (planar RGB, row-major, values in [−1, 1]).</summary>
    private static void Draw(Span<float> image, int size, int[] attributes, Random rng)
    {
        var (minArea, maxArea) = Areas[attributes[2]];
        double area = (minArea + (maxArea - minArea) * rng.NextDouble()) * size * size;
        // Each shape's area is k·r² for its half-extent r: circle π, square (1.7)², the triangle below 1.6625.
        double k = attributes[0] switch { 0 => Math.PI, 1 => 1.7 * 1.7, _ => 1.6625 };
        double r = Math.Sqrt(area / k);
        var (ax, ay) = Anchors[attributes[3]];
        double cx = (ax + Jitter * (2 * rng.NextDouble() - 1)) * size;
        double cy = (ay + Jitter * (2 * rng.NextDouble() - 1)) * size;
        var inside = ShapesDataset.Outline(attributes[0], cx, cy, r);
        var (red, green, blue) = Palette[attributes[1]];
        int plane = size * size;
        for (int py = 0; py < size; py++)
        {
            for (int px = 0; px < size; px++)
            {
                float coverage = (float)ShapesDataset.Coverage(inside, px, py);
                int at = py * size + px;
                image[at] = coverage * red * 2 - 1;
                image[plane + at] = coverage * green * 2 - 1;
                image[2 * plane + at] = coverage * blue * 2 - 1;
            }
        }
    }
}

/// <summary>One attribute a caption names, and its values in index order.</summary>
internal sealed record CaptionAttribute(string Name, IReadOnlyList<string> Values);
