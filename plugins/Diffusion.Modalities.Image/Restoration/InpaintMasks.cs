using Diffusion.Modalities.Image.Png;

namespace Diffusion.Modalities.Image.Restoration;

/// <summary>Which pixels an inpaint stage hides and fills in.</summary>
public enum MaskKind
{
    /// <summary>A rectangle (<c>box: [top, left, height, width]</c>; default the centred half-size square).</summary>
    Box,
    /// <summary>The right half of the image.</summary>
    Half,
    /// <summary>Random brush strokes, different for every image and the same for the same run seed.</summary>
    Strokes,
    /// <summary>A PNG file (<c>mask_file</c>): white pixels are filled in, black pixels are kept.</summary>
    [OptionName("file")]
    File,
}

/// <summary>
/// Inpainting masks [N, 1, H, W] (float): 1 where the pixel is known (kept from the input), 0 where it is missing
/// (to be filled in).
/// </summary>
internal static class InpaintMasks
{
    /// <summary>A rectangle of missing pixels at (<paramref name="top"/>, <paramref name="left"/>), the same for all <paramref name="count"/> images.</summary>
    public static Tensor Box(int count, int height, int width, int top, int left, int boxHeight, int boxWidth)
    {
        if (boxHeight < 1 || boxWidth < 1 || top < 0 || left < 0 || top + boxHeight > height || left + boxWidth > width)
            throw new PluginInputException(
                $"box [top {top}, left {left}, height {boxHeight}, width {boxWidth}] does not fit in {height}x{width} images: " +
                $"give box: [top, left, height, width] with top + height <= {height} and left + width <= {width}");
        var mask = ones(count, 1, height, width);
        mask[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(top, top + boxHeight), TensorIndex.Slice(left, left + boxWidth)] = 0f;
        return mask;
    }

    /// <summary>The default box: the centred square of half the image's sides.</summary>
    public static (int Top, int Left, int Height, int Width) CentredBox(int height, int width)
    {
        int h = Math.Max(1, height / 2), w = Math.Max(1, width / 2);
        return ((height - h) / 2, (width - w) / 2, h, w);
    }

    /// <summary>The right half of every image is missing.</summary>
    public static Tensor Half(int count, int height, int width) => Box(count, height, width, 0, width / 2, height, width - width / 2);

    /// <summary>
    /// <paramref name="strokes"/> random brush strokes per image: each a polyline of 2–4 segments from a random point,
    /// drawn with a round brush of width max(1, side/8). Image i's strokes come from its own generator, so a mask
    /// does not depend on the batch it is drawn in.
    /// </summary>
    public static Tensor Strokes(SampleGenerators generators, int height, int width, int strokes)
    {
        const int DrawsPerStroke = 2 + 1 + 2 * 4;
        int count = generators.Count;
        float[] uniforms;
        using (var u = generators.Rand([Math.Max(1, strokes) * DrawsPerStroke], CPU, ScalarType.Float32))
            uniforms = u.data<float>().ToArray();
        int perImage = Math.Max(1, strokes) * DrawsPerStroke;
        double radius = Math.Max(1, Math.Min(height, width) / 8.0) / 2.0;
        double step = Math.Min(height, width) / 3.0;
        var mask = new float[count * height * width];
        Array.Fill(mask, 1f);
        for (int i = 0; i < count; i++)
        {
            int next = i * perImage;
            float Draw() => uniforms[next++];
            for (int s = 0; s < strokes; s++)
            {
                double y = Draw() * (height - 1), x = Draw() * (width - 1);
                int segments = 2 + (int)Math.Min(2, Math.Floor(Draw() * 3));
                for (int k = 0; k < 4; k++)
                {
                    double angle = Draw() * 2 * Math.PI, length = step * (0.5 + Draw());
                    if (k >= segments) continue;
                    double ny = Math.Clamp(y + Math.Sin(angle) * length, 0, height - 1);
                    double nx = Math.Clamp(x + Math.Cos(angle) * length, 0, width - 1);
                    Paint(mask, i, height, width, y, x, ny, nx, radius);
                    (y, x) = (ny, nx);
                }
            }
        }
        return tensor(mask, [count, 1, height, width]);
    }

    /// <summary>Clears the pixels within <paramref name="radius"/> of the segment (y0, x0)–(y1, x1).</summary>
    private static void Paint(float[] mask, int image, int height, int width, double y0, double x0, double y1, double x1, double radius)
    {
        double dy = y1 - y0, dx = x1 - x0, lengthSquared = dy * dy + dx * dx;
        int top = Math.Max(0, (int)Math.Floor(Math.Min(y0, y1) - radius)), bottom = Math.Min(height - 1, (int)Math.Ceiling(Math.Max(y0, y1) + radius));
        int left = Math.Max(0, (int)Math.Floor(Math.Min(x0, x1) - radius)), right = Math.Min(width - 1, (int)Math.Ceiling(Math.Max(x0, x1) + radius));
        for (int py = top; py <= bottom; py++)
        {
            for (int px = left; px <= right; px++)
            {
                double f = lengthSquared == 0 ? 0 : Math.Clamp(((py - y0) * dy + (px - x0) * dx) / lengthSquared, 0, 1);
                double ey = py - (y0 + f * dy), ex = px - (x0 + f * dx);
                if (ey * ey + ex * ex <= radius * radius) mask[(image * height + py) * width + px] = 0f;
            }
        }
    }

    /// <summary>
    /// The mask of an image file (PNG, JPEG or WebP), the same for all <paramref name="count"/> images: pixels brighter than mid-grey (after
    /// averaging the colour channels) are missing and filled in, darker ones are kept.
    /// </summary>
    public static Tensor FromFile(string path, int count, int height, int width)
    {
        string full = Path.GetFullPath(path);
        if (!System.IO.File.Exists(full))
            throw new PluginInputException($"mask_file {full} does not exist; give a {width}x{height} PNG whose white pixels mark the region to fill in");
        DecodedImage image;
        try
        {
            image = ImageCodec.Read(full);
        }
        catch (InvalidDataException e)
        {
            throw new PluginInputException($"mask_file {e.Message}; give a PNG (or JPEG/WebP) whose white pixels mark the region to fill in", e);
        }
        if (image.Width != width || image.Height != height)
            throw new PluginInputException(
                $"mask_file {full} is {image.Width}x{image.Height} pixels, but the images are {width}x{height}: give a mask of the images' size (white = fill in, black = keep)");
        var mask = new float[height * width];
        int colour = image.Channels == 4 ? 3 : image.Channels; // alpha is ignored
        for (int p = 0; p < mask.Length; p++)
        {
            double sum = 0;
            for (int c = 0; c < colour; c++) sum += image.Pixels[p * image.Channels + c];
            mask[p] = sum / colour >= 128 ? 0f : 1f;
        }
        return tensor(mask, [1, 1, height, width]).expand(count, 1, height, width).contiguous();
    }
}
