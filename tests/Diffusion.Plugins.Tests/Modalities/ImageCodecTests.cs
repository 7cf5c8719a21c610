using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Diffusion.Modalities.Image.Png;
using SkiaSharp;

namespace Diffusion.Plugins.Tests.Modalities;

/// <summary>The image files the plugins read and write, through SkiaSharp.</summary>
public class ImageCodecTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(3, 2)]
    public void Writes_8_bit_grey_or_rgb_png_that_reads_back_exactly(int channels, int pngColourType)
    {
        var pixels = Enumerable.Range(0, 7 * 5 * channels).Select(i => (byte)(i * 13 + 5)).ToArray();
        using var stream = new MemoryStream();

        ImageCodec.WritePng(stream, 7, 5, channels, pixels);

        var file = stream.ToArray();
        // IHDR straight after the signature: width, height, bit depth 8, colour type grey (0) or RGB (2), no alpha.
        Assert.Equal("IHDR", Encoding.ASCII.GetString(file, 12, 4));
        Assert.Equal((7, 5, 8, pngColourType), (BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(20)), (int)file[24], (int)file[25]));
        var image = ImageCodec.Read(new MemoryStream(file));
        Assert.Equal((7, 5, channels), (image.Width, image.Height, image.Channels));
        Assert.Equal(pixels, image.Pixels);
    }

    [Fact]
    public void The_same_pixels_give_the_same_bytes()
    {
        var pixels = Enumerable.Range(0, 64 * 48 * 3).Select(i => (byte)((i * 31) ^ (i >> 5))).ToArray();
        byte[] Write()
        {
            using var stream = new MemoryStream();
            ImageCodec.WritePng(stream, 64, 48, 3, pixels);
            return stream.ToArray();
        }

        Assert.Equal(Write(), Write());
    }

    [Fact]
    public void Reads_16_bit_rgb_keeping_the_high_byte()
    {
        // Two pixels of 16-bit RGB: samples k * 257 are exactly 8-bit k; 0x12FF keeps its high byte (libpng strips the low one).
        ushort[] samples = [0, 257 * 10, 257 * 200, 0xFFFF, 0x12FF, 257 * 128];
        var row = new byte[1 + samples.Length * 2];
        for (int i = 0; i < samples.Length; i++) BinaryPrimitives.WriteUInt16BigEndian(row.AsSpan(1 + i * 2), samples[i]);

        var image = ImageCodec.Read(new MemoryStream(Png(2, 1, bitDepth: 16, colourType: 2, row)));

        Assert.Equal(3, image.Channels);
        Assert.Equal(new byte[] { 0, 10, 200, 255, 0x12, 128 }, image.Pixels);
    }

    [Fact]
    public void Expands_a_palette_to_rgb()
    {
        byte[] palette = [255, 0, 0, 0, 255, 0, 10, 20, 30];
        var row = new byte[] { 0, 2, 0, 1, 2 }; // filter none, then palette indices

        var image = ImageCodec.Read(new MemoryStream(Png(4, 1, bitDepth: 8, colourType: 3, row, palette)));

        Assert.Equal((4, 1, 3), (image.Width, image.Height, image.Channels));
        Assert.Equal(new byte[] { 10, 20, 30, 255, 0, 0, 0, 255, 0, 10, 20, 30 }, image.Pixels);
    }

    [Fact]
    public void Scales_one_bit_grey_to_the_full_range()
    {
        // 10 pixels per row, 1 bit each: 0b10110000 0b01000000.
        var row = new byte[] { 0, 0b1011_0000, 0b0100_0000 };

        var image = ImageCodec.Read(new MemoryStream(Png(10, 1, bitDepth: 1, colourType: 0, row)));

        Assert.Equal(1, image.Channels);
        Assert.Equal(new byte[] { 255, 0, 255, 255, 0, 0, 0, 0, 0, 255 }, image.Pixels);
    }

    [Fact]
    public void Keeps_transparency_as_a_fourth_unpremultiplied_channel()
    {
        var row = new byte[] { 0, 200, 100, 50, 128, 9, 8, 7, 255 };

        var image = ImageCodec.Read(new MemoryStream(Png(2, 1, bitDepth: 8, colourType: 6, row)));

        Assert.Equal(4, image.Channels);
        Assert.Equal(new byte[] { 200, 100, 50, 128, 9, 8, 7, 255 }, image.Pixels);
    }

    [Theory]
    [InlineData("jpeg")]
    [InlineData("webp")]
    public void Reads_jpeg_and_webp(string format)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(16, 8, SKColorType.Rgba8888, SKAlphaType.Opaque));
        bitmap.Erase(new SKColor(240, 30, 30));
        using var encoded = bitmap.Encode(format == "jpeg" ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Webp, 95);

        var image = ImageCodec.Read(new MemoryStream(encoded.ToArray()));

        Assert.Equal((16, 8, 3), (image.Width, image.Height, image.Channels));
        Assert.InRange(image.Pixels[0], 225, 255); // lossy, so near the red, not exactly it
        Assert.InRange(image.Pixels[1], 15, 45);
    }

    [Fact]
    public void A_corrupt_file_gives_an_error_naming_the_file()
    {
        using var folder = new TempFolder();
        string garbage = Path.Combine(folder.Path, "notes.png");
        File.WriteAllText(garbage, "not an image");
        string truncated = Path.Combine(folder.Path, "cut.png");
        using (var stream = new MemoryStream())
        {
            ImageCodec.WritePng(stream, 32, 32, 3, Enumerable.Range(0, 32 * 32 * 3).Select(i => (byte)(i * 7)).ToArray());
            File.WriteAllBytes(truncated, stream.ToArray()[..(int)(stream.Length / 2)]);
        }

        var notImage = Assert.Throws<InvalidDataException>(() => ImageCodec.Read(garbage));
        var cut = Assert.Throws<InvalidDataException>(() => ImageCodec.Read(truncated));

        Assert.StartsWith($"{garbage}: not a PNG, JPEG or WebP image", notImage.Message);
        Assert.StartsWith($"{truncated}: the image data is cut short", cut.Message);
    }

    /// <summary>A one-IDAT PNG of already-filtered scanlines, with correct CRCs (libpng checks them).</summary>
    private static byte[] Png(int width, int height, int bitDepth, int colourType, byte[] filtered, byte[]? palette = null)
    {
        using var output = new MemoryStream();
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = (byte)bitDepth;
        header[9] = (byte)colourType;
        Chunk(output, "IHDR", header);
        if (palette is not null) Chunk(output, "PLTE", palette);
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
        var word = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        output.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc(typed));
        output.Write(word);
    }

    /// <summary>The PNG chunk CRC (CRC-32, polynomial 0xEDB88320), bit by bit: slow, short and obviously right.</summary>
    private static uint Crc(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
