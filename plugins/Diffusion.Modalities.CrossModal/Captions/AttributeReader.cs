namespace Diffusion.Modalities.CrossModal.Captions;

/// <summary>
/// Reads the colour, size and position of a captioned shape back from its pixels, with no learned model. A pixel's ink
/// is its brightest channel in [0, 1]; pixels with ink below <see cref="InkThreshold"/> are background (this keeps a
/// generated image's noise out of the sums). Size: the inked area as a share of the image, small below the geometric
/// mean of the small maximum and the large minimum. Colour: the palette colour nearest to the ink-weighted mean RGB, both
/// scaled to a brightest channel of 1. Position: the anchor nearest to the ink-weighted centroid. An image with no ink
/// reads as -1 (never a match). Shape is not read here: it takes a classifier.
/// </summary>
internal static class AttributeReader
{
    /// <summary>Ink below this is background.</summary>
    public const float InkThreshold = 0.25f;

    /// <summary>The area (share of the image) between small and large.</summary>
    public static readonly double SizeThreshold = Math.Sqrt(CaptionedShapes.Areas[0].Max * CaptionedShapes.Areas[1].Min);

    /// <summary>The colour, size and position indices of each image [N, 3, S, S] (model space); -1 where the image is blank.</summary>
    public static (int Colour, int Size, int Position)[] Read(Tensor images)
    {
        if (images.dim() != 4 || images.shape[1] != 3)
            throw new ArgumentException($"expected RGB images [N, 3, S, S], got [{string.Join(", ", images.shape)}]", nameof(images));
        int n = (int)images.shape[0], h = (int)images.shape[2], w = (int)images.shape[3];
        float[] values;
        using (var scope = NewDisposeScope())
            values = ((images.detach().to(CPU).to_type(ScalarType.Float32) + 1) / 2).clamp(0, 1).contiguous().data<float>().ToArray();
        int plane = h * w;
        var result = new (int, int, int)[n];
        for (int i = 0; i < n; i++)
            result[i] = ReadOne(values.AsSpan(i * 3 * plane, 3 * plane), h, w);
        return result;
    }

    private static (int Colour, int Size, int Position) ReadOne(ReadOnlySpan<float> rgb, int h, int w)
    {
        int plane = h * w;
        double mass = 0, sumR = 0, sumG = 0, sumB = 0, sumX = 0, sumY = 0;
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                int at = y * w + x;
                float r = rgb[at], g = rgb[plane + at], b = rgb[2 * plane + at];
                float ink = Math.Max(r, Math.Max(g, b));
                if (ink < InkThreshold) continue;
                mass += ink;
                sumR += ink * r;
                sumG += ink * g;
                sumB += ink * b;
                sumX += ink * (x + 0.5);
                sumY += ink * (y + 0.5);
            }
        }
        if (mass == 0) return (-1, -1, -1);
        int size = mass / plane < SizeThreshold ? 0 : 1;
        return (NearestColour(sumR / mass, sumG / mass, sumB / mass), size, NearestAnchor(sumX / mass / w, sumY / mass / h));
    }

    private static int NearestColour(double r, double g, double b)
    {
        double top = Math.Max(r, Math.Max(g, b));
        if (top <= 0) return -1;
        (r, g, b) = (r / top, g / top, b / top);
        int best = -1;
        double bestDistance = double.MaxValue;
        for (int c = 0; c < CaptionedShapes.Palette.Count; c++)
        {
            var p = CaptionedShapes.Palette[c];
            double pTop = Math.Max(p.R, Math.Max(p.G, p.B));
            double d = Square(r - p.R / pTop) + Square(g - p.G / pTop) + Square(b - p.B / pTop);
            if (d < bestDistance) (best, bestDistance) = (c, d);
        }
        return best;
    }

    private static int NearestAnchor(double x, double y)
    {
        int best = -1;
        double bestDistance = double.MaxValue;
        for (int a = 0; a < CaptionedShapes.Anchors.Count; a++)
        {
            var (ax, ay) = CaptionedShapes.Anchors[a];
            double d = Square(x - ax) + Square(y - ay);
            if (d < bestDistance) (best, bestDistance) = (a, d);
        }
        return best;
    }

    private static double Square(double v) => v * v;
}
