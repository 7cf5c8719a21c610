namespace Diffusion.Cli.Commands.Plotting;

/// <summary>An RGB image to draw on: anti-aliased lines, rectangles and pixel-font text, blended over what is there.</summary>
internal sealed class Canvas
{
    private readonly byte[] _rgb;

    public Canvas(int width, int height, Rgb background)
    {
        Width = width;
        Height = height;
        _rgb = new byte[width * height * 3];
        FillRectangle(0, 0, width, height, background);
    }

    public int Width { get; }

    public int Height { get; }

    public byte[] Pixels => _rgb;

    public void Blend(int x, int y, Rgb color, double alpha)
    {
        if (x < 0 || y < 0 || x >= Width || y >= Height || alpha <= 0) return;
        alpha = Math.Min(alpha, 1);
        var i = ((y * Width) + x) * 3;
        _rgb[i] = Mix(_rgb[i], color.R, alpha);
        _rgb[i + 1] = Mix(_rgb[i + 1], color.G, alpha);
        _rgb[i + 2] = Mix(_rgb[i + 2], color.B, alpha);
    }

    public Rgb Get(int x, int y)
    {
        var i = ((y * Width) + x) * 3;
        return new Rgb(_rgb[i], _rgb[i + 1], _rgb[i + 2]);
    }

    public void FillRectangle(int x, int y, int width, int height, Rgb color)
    {
        for (var yy = Math.Max(0, y); yy < Math.Min(Height, y + height); yy++)
            for (var xx = Math.Max(0, x); xx < Math.Min(Width, x + width); xx++)
                Blend(xx, yy, color, 1);
    }

    /// <summary>
    /// Joined line segments of <paramref name="thickness"/> pixels with round ends and joins, anti-aliased: each
    /// pixel is covered by how far its centre lies inside the stroke (the most any segment covers it), then
    /// blended once, so joins are not painted twice.
    /// </summary>
    public void Polyline(IReadOnlyList<(double X, double Y)> points, Rgb color, double thickness)
    {
        if (points.Count == 0) return;
        var coverage = new Dictionary<int, double>();
        var half = thickness / 2;
        for (var i = 0; i < Math.Max(1, points.Count - 1); i++)
        {
            var (x0, y0) = points[i];
            var (x1, y1) = points[Math.Min(i + 1, points.Count - 1)];
            var dx = x1 - x0;
            var dy = y1 - y0;
            var lengthSquared = (dx * dx) + (dy * dy);
            for (var y = Math.Max(0, (int)Math.Floor(Math.Min(y0, y1) - half - 1)); y <= Math.Min(Height - 1, (int)Math.Ceiling(Math.Max(y0, y1) + half + 1)); y++)
            {
                for (var x = Math.Max(0, (int)Math.Floor(Math.Min(x0, x1) - half - 1)); x <= Math.Min(Width - 1, (int)Math.Ceiling(Math.Max(x0, x1) + half + 1)); x++)
                {
                    var t = lengthSquared == 0 ? 0 : Math.Clamp((((x - x0) * dx) + ((y - y0) * dy)) / lengthSquared, 0, 1);
                    var ex = x - (x0 + (t * dx));
                    var ey = y - (y0 + (t * dy));
                    var cover = Math.Clamp(half + 0.5 - Math.Sqrt((ex * ex) + (ey * ey)), 0, 1);
                    var key = (y * Width) + x;
                    if (cover > 0 && cover > coverage.GetValueOrDefault(key)) coverage[key] = cover;
                }
            }
        }

        foreach (var (key, cover) in coverage) Blend(key % Width, key / Width, color, cover);
    }

    /// <summary>Text with its top-left corner at (x, y), each font pixel drawn as <paramref name="scale"/>² pixels.</summary>
    public void Text(int x, int y, string text, Rgb color, int scale)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var left = x + (i * TextAdvance(scale));
            for (var gy = 0; gy < PixelFont.Height; gy++)
                for (var gx = 0; gx < PixelFont.Width; gx++)
                    if (PixelFont.Ink(text[i], gx, gy)) FillRectangle(left + (gx * scale), y + (gy * scale), scale, scale, color);
        }
    }

    /// <summary>Text turned a quarter to the left (reading bottom to top), with its bottom-left corner at (x, y).</summary>
    public void TextUpward(int x, int y, string text, Rgb color, int scale)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var bottom = y - (i * TextAdvance(scale));
            for (var gy = 0; gy < PixelFont.Height; gy++)
                for (var gx = 0; gx < PixelFont.Width; gx++)
                    if (PixelFont.Ink(text[i], gx, gy)) FillRectangle(x + (gy * scale), bottom - ((gx + 1) * scale), scale, scale, color);
        }
    }

    public static int TextAdvance(int scale) => (PixelFont.Width + 1) * scale;

    public static int TextWidth(string text, int scale) => text.Length == 0 ? 0 : (text.Length * TextAdvance(scale)) - scale;

    public static int TextHeight(int scale) => PixelFont.Height * scale;

    private static byte Mix(byte under, byte over, double alpha) => (byte)Math.Round((under * (1 - alpha)) + (over * alpha));
}

/// <summary>A colour.</summary>
internal readonly record struct Rgb(byte R, byte G, byte B)
{
    public static Rgb White { get; } = new(255, 255, 255);
    public static Rgb Black { get; } = new(0, 0, 0);
    public static Rgb Grid { get; } = new(225, 225, 225);
    public static Rgb Label { get; } = new(60, 60, 60);

    /// <summary>Ten colours that stay apart (the usual category palette).</summary>
    public static IReadOnlyList<Rgb> Series { get; } =
    [
        new(31, 119, 180), new(255, 127, 14), new(44, 160, 44), new(214, 39, 40), new(148, 103, 189),
        new(140, 86, 75), new(227, 119, 194), new(127, 127, 127), new(188, 189, 34), new(23, 190, 207),
    ];
}
