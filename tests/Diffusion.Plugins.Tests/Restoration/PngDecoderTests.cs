using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Diffusion.Modalities.Image.Png;

namespace Diffusion.Plugins.Tests.Restoration;

public class PngDecoderTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Reads_what_the_encoder_writes(int channels)
    {
        var pixels = Enumerable.Range(0, 7 * 5 * channels).Select(i => (byte)(i * 13 + 5)).ToArray();
        using var stream = new MemoryStream();
        PngEncoder.Write(stream, 7, 5, channels, pixels);
        stream.Position = 0;

        var image = PngDecoder.Read(stream);

        Assert.Equal((7, 5, channels), (image.Width, image.Height, image.Channels));
        Assert.Equal(pixels, image.Pixels);
    }

    [Fact]
    public void Undoes_every_row_filter()
    {
        // Five rows of RGBA, each stored with a different filter (none, sub, up, average, paeth).
        const int width = 4, height = 5, bpp = 4;
        var pixels = Enumerable.Range(0, width * height * bpp).Select(i => (byte)((i * 37) ^ (i >> 2))).ToArray();
        var raw = new List<byte>();
        for (int y = 0; y < height; y++)
        {
            raw.Add((byte)y);
            for (int i = 0; i < width * bpp; i++)
            {
                int at = y * width * bpp + i;
                int a = i >= bpp ? pixels[at - bpp] : 0, b = y > 0 ? pixels[at - width * bpp] : 0, c = i >= bpp && y > 0 ? pixels[at - width * bpp - bpp] : 0;
                int predictor = y switch { 0 => 0, 1 => a, 2 => b, 3 => (a + b) / 2, _ => Paeth(a, b, c) };
                raw.Add((byte)(pixels[at] - predictor));
            }
        }

        var image = PngDecoder.Read(new MemoryStream(Png(width, height, bitDepth: 8, colorType: 6, raw.ToArray())));

        Assert.Equal(4, image.Channels);
        Assert.Equal(pixels, image.Pixels);
    }

    [Fact]
    public void Scales_one_bit_grey_to_the_full_range()
    {
        // 10 pixels per row, 1 bit each: 0b10110000 0b01000000.
        var raw = new byte[] { 0, 0b1011_0000, 0b0100_0000 };

        var image = PngDecoder.Read(new MemoryStream(Png(10, 1, bitDepth: 1, colorType: 0, raw)));

        Assert.Equal(new byte[] { 255, 0, 255, 255, 0, 0, 0, 0, 0, 255 }, image.Pixels);
    }

    [Fact]
    public void Refuses_interlaced_images_with_a_reason()
    {
        var png = Png(2, 2, 8, 0, new byte[6], interlace: 1);

        var error = Assert.Throws<InvalidDataException>(() => PngDecoder.Read(new MemoryStream(png)));

        Assert.Contains("interlaced", error.Message);
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    /// <summary>A PNG with the given already-filtered scanlines (CRCs are not checked by the reader, so they are zero).</summary>
    private static byte[] Png(int width, int height, int bitDepth, int colorType, byte[] filtered, int interlace = 0)
    {
        using var output = new MemoryStream();
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = (byte)bitDepth;
        header[9] = (byte)colorType;
        header[12] = (byte)interlace;
        Chunk(output, "IHDR", header);
        using (var compressed = new MemoryStream())
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) zlib.Write(filtered);
            Chunk(output, "IDAT", compressed.ToArray());
        }
        Chunk(output, "IEND", []);
        return output.ToArray();
    }

    private static void Chunk(Stream output, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        output.Write(Encoding.ASCII.GetBytes(type));
        output.Write(data);
        output.Write(new byte[4]);
    }
}
