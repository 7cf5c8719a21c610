using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Diffusion.Modalities.Image.Png;

/// <summary>
/// A minimal PNG writer (ISO/IEC 15948): 8-bit greyscale or RGB, no interlacing, filter type 0 on every row,
/// one zlib-compressed IDAT chunk.
/// </summary>
internal static class PngEncoder
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>PNG colour type 0 (greyscale) for 1 channel, 2 (truecolour) for 3.</summary>
    public static byte ColorTypeFor(int channels) => channels switch
    {
        1 => 0,
        3 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(channels), channels, "PNG images here have 1 (grey) or 3 (RGB) channels"),
    };

    /// <summary>
    /// Writes a PNG of <paramref name="width"/> x <paramref name="height"/> pixels; <paramref name="pixels"/>
    /// holds rows top to bottom, each pixel's <paramref name="channels"/> bytes interleaved.
    /// </summary>
    public static void Write(Stream output, int width, int height, int channels, ReadOnlySpan<byte> pixels)
    {
        byte colorType = ColorTypeFor(channels);
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), "a PNG needs at least one pixel");
        int stride = width * channels;
        if (pixels.Length != (long)stride * height)
            throw new ArgumentException($"expected {stride * height} bytes of pixels, got {pixels.Length}", nameof(pixels));

        output.Write(Signature);

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(0), width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;          // bit depth
        header[9] = colorType;
        header[10] = 0;         // compression: deflate
        header[11] = 0;         // filter method: adaptive (type 0 used on every row)
        header[12] = 0;         // no interlace
        WriteChunk(output, "IHDR", header);

        using (var compressed = new MemoryStream())
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            {
                for (int y = 0; y < height; y++)
                {
                    zlib.WriteByte(0); // filter type None
                    zlib.Write(pixels.Slice(y * stride, stride));
                }
            }
            WriteChunk(output, "IDAT", compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        }

        WriteChunk(output, "IEND", []);
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        Span<byte> typeBytes = stackalloc byte[4];
        Encoding.ASCII.GetBytes(type, typeBytes);
        output.Write(typeBytes);
        output.Write(data);
        uint crc = Crc32.Append(Crc32.Append(Crc32.Initial, typeBytes), data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Finish(crc));
        output.Write(word);
    }
}
