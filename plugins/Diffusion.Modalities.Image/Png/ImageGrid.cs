namespace Diffusion.Modalities.Image.Png;

/// <summary>
/// Lays a batch of images out as one picture: a square-ish grid with 1-pixel grey padding. Small images are enlarged
/// by a whole factor (nearest neighbour, so no pixel is invented) until each is at least <see cref="MinimumCell"/>
/// pixels on its short side: a 16x16 sample is judged by eye at 64x64, not as a speck.
/// </summary>
internal static class ImageGrid
{
    /// <summary>The grey of the padding between images.</summary>
    public const byte PaddingGrey = 128;

    /// <summary>The smallest side, in pixels, that an image takes in a grid.</summary>
    public const int MinimumCell = 64;

    /// <summary>The whole factor that brings an image of <paramref name="height"/> × <paramref name="width"/> to <see cref="MinimumCell"/>.</summary>
    public static int Scale(int height, int width) => Math.Max(1, (MinimumCell + Math.Min(height, width) - 1) / Math.Max(1, Math.Min(height, width)));

    /// <summary>Columns and rows for <paramref name="count"/> images: ceil(√n) columns, as many rows as needed.</summary>
    public static (int Columns, int Rows) Layout(int count)
    {
        int columns = Math.Max(1, (int)Math.Ceiling(Math.Sqrt(count)));
        return (columns, (count + columns - 1) / columns);
    }

    /// <summary>
    /// Renders <paramref name="images"/> [N, C, H, W] (model space, [−1, 1], clamped) with C of 1 or 3 into
    /// interleaved 8-bit pixels; returns them with the picture's size. <paramref name="columns"/> fixes the number of
    /// columns (for rows of before/after images); by default the grid is square-ish.
    /// </summary>
    public static (byte[] Pixels, int Width, int Height, int Channels) Render(Tensor images, int? columns = null)
    {
        if (images.dim() != 4)
            throw new ArgumentException($"expected images [N, C, H, W], got shape [{string.Join(", ", images.shape)}]", nameof(images));
        int n = (int)images.shape[0], c = (int)images.shape[1];
        int scale = Scale((int)images.shape[2], (int)images.shape[3]);
        int h = (int)images.shape[2] * scale, w = (int)images.shape[3] * scale;
        ImageCodec.CheckWritable(c);
        var (square, _) = Layout(n);
        int columnCount = Math.Max(1, columns ?? square);
        int rows = (n + columnCount - 1) / columnCount;
        int width = columnCount * (w + 1) + 1, height = rows * (h + 1) + 1;

        byte[] source;
        using (var scope = NewDisposeScope())
        {
            // [-1, 1] -> 0..255, then channels last so that each image row is a run of interleaved pixels.
            var bytes = ((images.detach().to(CPU).to_type(ScalarType.Float32).clamp(-1, 1) + 1) * 127.5f)
                .round().to_type(ScalarType.Byte).permute(0, 2, 3, 1);
            if (scale > 1) bytes = bytes.repeat_interleave(scale, 1).repeat_interleave(scale, 2);
            bytes = bytes.contiguous();
            source = bytes.data<byte>().ToArray();
        }

        var pixels = new byte[width * height * c];
        Array.Fill(pixels, PaddingGrey);
        int rowBytes = w * c;
        for (int i = 0; i < n; i++)
        {
            int x0 = 1 + (i % columnCount) * (w + 1), y0 = 1 + (i / columnCount) * (h + 1);
            for (int y = 0; y < h; y++)
            {
                Array.Copy(source, ((long)i * h + y) * rowBytes, pixels, ((long)(y0 + y) * width + x0) * c, rowBytes);
            }
        }
        return (pixels, width, height, c);
    }
}
