using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Diffusion.Modalities.Image.Png;

/// <summary>A decoded PNG: 8 bits per sample, rows top to bottom, each pixel's <see cref="Channels"/> bytes interleaved.</summary>
/// <param name="Width">Pixels per row.</param>
/// <param name="Height">Rows.</param>
/// <param name="Channels">1 grey, 2 grey + alpha, 3 RGB, 4 RGBA.</param>
/// <param name="Pixels">Width · Height · Channels bytes.</param>
internal sealed record PngImage(int Width, int Height, int Channels, byte[] Pixels);

/// <summary>
/// A small PNG reader (ISO/IEC 15948) for masks and test images: every colour type, bit depths 1–16 (16-bit samples
/// keep their high byte, grey below 8 bits is scaled to 0..255, palettes are expanded to RGB), all five row filters,
/// no interlacing.
/// </summary>
internal static class PngDecoder
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Reads a PNG. Throws <see cref="InvalidDataException"/> for anything it cannot read, saying what.</summary>
    public static PngImage Read(Stream input)
    {
        var header = new byte[8];
        if (input.ReadAtLeast(header, 8, throwOnEndOfStream: false) < 8 || !header.AsSpan().SequenceEqual(Signature))
            throw new InvalidDataException("it does not start with the PNG signature");

        int width = 0, height = 0, bitDepth = 0, colorType = -1;
        byte[]? palette = null;
        using var compressed = new MemoryStream();
        var lengthAndType = new byte[8];
        while (true)
        {
            if (input.ReadAtLeast(lengthAndType, 8, throwOnEndOfStream: false) < 8)
                throw new InvalidDataException("it ends before its IEND chunk");
            int length = BinaryPrimitives.ReadInt32BigEndian(lengthAndType);
            string type = Encoding.ASCII.GetString(lengthAndType, 4, 4);
            if (length < 0) throw new InvalidDataException($"chunk {type} has a negative length");
            var data = new byte[length];
            if (input.ReadAtLeast(data, length, throwOnEndOfStream: false) < length || input.ReadAtLeast(new byte[4], 4, throwOnEndOfStream: false) < 4)
                throw new InvalidDataException($"chunk {type} is cut short");
            switch (type)
            {
                case "IHDR":
                    if (length != 13) throw new InvalidDataException("its IHDR chunk is not 13 bytes");
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4));
                    bitDepth = data[8];
                    colorType = data[9];
                    if (data[12] != 0) throw new InvalidDataException("it is interlaced; save it without interlacing");
                    break;
                case "PLTE":
                    palette = data;
                    break;
                case "IDAT":
                    compressed.Write(data);
                    break;
                case "IEND":
                    return Decode(compressed.ToArray(), width, height, bitDepth, colorType, palette);
            }
        }
    }

    private static PngImage Decode(byte[] compressed, int width, int height, int bitDepth, int colorType, byte[]? palette)
    {
        if (width < 1 || height < 1) throw new InvalidDataException("it has no IHDR chunk or no pixels");
        int samples = colorType switch
        {
            0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4,
            _ => throw new InvalidDataException($"colour type {colorType} is not a PNG colour type"),
        };
        bool depthOk = colorType switch
        {
            0 => bitDepth is 1 or 2 or 4 or 8 or 16,
            3 => bitDepth is 1 or 2 or 4 or 8,
            _ => bitDepth is 8 or 16,
        };
        if (!depthOk) throw new InvalidDataException($"bit depth {bitDepth} is not allowed for colour type {colorType}");
        if (colorType == 3 && palette is null) throw new InvalidDataException("it is a palette image without a PLTE chunk");

        int bitsPerPixel = samples * bitDepth;
        int stride = (width * bitsPerPixel + 7) / 8;
        int bytesPerPixel = Math.Max(1, bitsPerPixel / 8);
        var raw = new byte[(long)(stride + 1) * height];
        using (var zlib = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress))
        {
            if (zlib.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false) < raw.Length)
                throw new InvalidDataException("its image data is shorter than its size says");
        }

        var rows = new byte[stride * height];
        for (int y = 0; y < height; y++)
        {
            byte filter = raw[y * (stride + 1)];
            var line = raw.AsSpan(y * (stride + 1) + 1, stride);
            var current = rows.AsSpan(y * stride, stride);
            ReadOnlySpan<byte> previous = y == 0 ? new byte[stride] : rows.AsSpan((y - 1) * stride, stride);
            for (int i = 0; i < stride; i++)
            {
                int a = i >= bytesPerPixel ? current[i - bytesPerPixel] : 0, b = previous[i], c = i >= bytesPerPixel ? previous[i - bytesPerPixel] : 0;
                current[i] = filter switch
                {
                    0 => line[i],
                    1 => (byte)(line[i] + a),
                    2 => (byte)(line[i] + b),
                    3 => (byte)(line[i] + (a + b) / 2),
                    4 => (byte)(line[i] + Paeth(a, b, c)),
                    _ => throw new InvalidDataException($"row {y} has unknown filter type {filter}"),
                };
            }
        }

        int channels = colorType == 3 ? 3 : samples;
        var pixels = new byte[(long)width * height * channels];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                for (int s = 0; s < samples; s++)
                {
                    int value = Sample(rows, y * stride, x * samples + s, bitDepth);
                    long at = ((long)y * width + x) * channels;
                    if (colorType == 3)
                    {
                        if (value * 3 + 2 >= palette!.Length) throw new InvalidDataException($"pixel ({x}, {y}) uses palette entry {value}, past the palette's end");
                        pixels[at] = palette[value * 3];
                        pixels[at + 1] = palette[value * 3 + 1];
                        pixels[at + 2] = palette[value * 3 + 2];
                    }
                    else
                    {
                        pixels[at + s] = bitDepth < 8 ? (byte)(value * 255 / ((1 << bitDepth) - 1)) : (byte)value;
                    }
                }
            }
        }
        return new PngImage(width, height, channels, pixels);
    }

    /// <summary>Sample number <paramref name="index"/> of a row; 16-bit samples give their high byte.</summary>
    private static int Sample(byte[] rows, int rowStart, int index, int bitDepth) => bitDepth switch
    {
        16 => rows[rowStart + index * 2],
        8 => rows[rowStart + index],
        _ => (rows[rowStart + index * bitDepth / 8] >> (8 - bitDepth - index * bitDepth % 8)) & ((1 << bitDepth) - 1),
    };

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
