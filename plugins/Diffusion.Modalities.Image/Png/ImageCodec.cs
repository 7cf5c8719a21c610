using System.Runtime.InteropServices;
using SkiaSharp;

namespace Diffusion.Modalities.Image.Png;

/// <summary>
/// Reads and writes image files through SkiaSharp (libpng, libjpeg-turbo, libwebp): PNG of every colour type and bit
/// depth (16-bit samples keep their high byte, palettes expanded, interlacing undone), JPEG and WebP in; 8-bit grey
/// or RGB PNG out. Writing is deterministic: the same pixels give the same bytes.
/// </summary>
internal static class ImageCodec
{
    /// <summary>The file extensions <see cref="Read(string)"/> decodes.</summary>
    public static readonly IReadOnlyList<string> Extensions = [".png", ".jpg", ".jpeg", ".webp"];

    /// <summary>Throws unless <paramref name="channels"/> is 1 (grey) or 3 (RGB), the images written here.</summary>
    public static void CheckWritable(int channels)
    {
        if (channels is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "PNG images here have 1 (grey) or 3 (RGB) channels");
    }

    /// <summary>
    /// Writes an 8-bit PNG (grey for 1 channel, RGB for 3) of <paramref name="width"/> x <paramref name="height"/>
    /// pixels; <paramref name="pixels"/> holds rows top to bottom, each pixel's <paramref name="channels"/> bytes interleaved.
    /// </summary>
    public static void WritePng(Stream output, int width, int height, int channels, ReadOnlySpan<byte> pixels)
    {
        CheckWritable(channels);
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), "a PNG needs at least one pixel");
        if (pixels.Length != (long)width * height * channels)
            throw new ArgumentException($"expected {width * height * channels} bytes of pixels, got {pixels.Length}", nameof(pixels));

        // Skia writes grey from Gray8 and, for an opaque 8888 picture, RGB without an alpha channel.
        SKImageInfo info;
        byte[] buffer;
        if (channels == 1)
        {
            info = new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque);
            buffer = pixels.ToArray();
        }
        else
        {
            info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
            buffer = new byte[width * height * 4];
            for (int p = 0, q = 0; p < pixels.Length; p += 3, q += 4)
            {
                buffer[q] = pixels[p];
                buffer[q + 1] = pixels[p + 1];
                buffer[q + 2] = pixels[p + 2];
                buffer[q + 3] = 255;
            }
        }
        using var bitmap = new SKBitmap(info);
        Marshal.Copy(buffer, 0, bitmap.GetPixels(), buffer.Length);
        using var pixmap = bitmap.PeekPixels();
        using var data = pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, zLibLevel: 6))
            ?? throw new InvalidOperationException($"SkiaSharp could not encode a {width}x{height} PNG");
        data.SaveTo(output);
    }

    /// <summary>Reads the image file at <paramref name="path"/>; errors name the file.</summary>
    public static DecodedImage Read(string path)
    {
        using var stream = File.OpenRead(path);
        try
        {
            return Read(stream);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Reads a PNG, JPEG or WebP image. Grey images give 1 channel, opaque colour ones 3, others 4 (RGBA, not
    /// premultiplied). Throws <see cref="InvalidDataException"/> for anything it cannot read, saying what.
    /// </summary>
    public static DecodedImage Read(Stream input)
    {
        var bytes = new MemoryStream();
        input.CopyTo(bytes);
        using var data = SKData.CreateCopy(bytes.GetBuffer().AsSpan(0, (int)bytes.Length));
        using var codec = SKCodec.Create(data)
            ?? throw new InvalidDataException("not a PNG, JPEG or WebP image SkiaSharp can decode (wrong format or a damaged header)");
        var source = codec.Info;
        bool grey = source.ColorType == SKColorType.Gray8;
        bool opaque = source.AlphaType == SKAlphaType.Opaque;
        var info = new SKImageInfo(source.Width, source.Height, grey ? SKColorType.Gray8 : SKColorType.Rgba8888,
            grey || opaque ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
        var result = codec.GetPixels(info, out byte[] decoded);
        if (result != SKCodecResult.Success)
            throw new InvalidDataException(result == SKCodecResult.IncompleteInput
                ? "the image data is cut short (an incomplete or damaged file)"
                : $"the image data cannot be decoded ({result})");

        int channels = grey ? 1 : opaque ? 3 : 4;
        if (channels != 3) return new DecodedImage(info.Width, info.Height, channels, decoded);
        var rgb = new byte[info.Width * info.Height * 3];
        for (int p = 0, q = 0; p < rgb.Length; p += 3, q += 4)
        {
            rgb[p] = decoded[q];
            rgb[p + 1] = decoded[q + 1];
            rgb[p + 2] = decoded[q + 2];
        }
        return new DecodedImage(info.Width, info.Height, 3, rgb);
    }
}
