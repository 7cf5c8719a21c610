using System.Buffers.Binary;
using System.IO.Compression;

namespace Diffusion.Plugins.Tests.Modalities;

/// <summary>Writes tiny handmade IDX files (the MNIST format) for the loader tests.</summary>
internal static class IdxFiles
{
    public static void Write(string path, int[] dims, byte[] data, bool gzip, byte type = 0x08)
    {
        using var file = File.Create(path);
        using var stream = gzip ? new GZipStream(file, CompressionLevel.Fastest) : (Stream)file;
        stream.Write([0, 0, type, (byte)dims.Length]);
        Span<byte> word = stackalloc byte[4];
        foreach (int d in dims)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, d);
            stream.Write(word);
        }
        stream.Write(data);
    }

    /// <summary>
    /// A Fashion-MNIST folder with <paramref name="count"/> images of <paramref name="side"/>² pixels per split:
    /// pixel p of image i is (i·7 + p·13) mod 256, label i mod 10.
    /// </summary>
    public static void WriteFashionMnist(string folder, int count, int side, bool gzip)
    {
        foreach (var prefix in new[] { "train", "t10k" })
        {
            string suffix = gzip ? ".gz" : "";
            Write(Path.Combine(folder, $"{prefix}-images-idx3-ubyte{suffix}"), [count, side, side], Pixels(count, side), gzip);
            Write(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte{suffix}"), [count], Labels(count), gzip);
        }
    }

    public static byte[] Pixels(int count, int side)
    {
        var pixels = new byte[count * side * side];
        for (int i = 0; i < count; i++)
            for (int p = 0; p < side * side; p++)
                pixels[i * side * side + p] = (byte)((i * 7 + p * 13) % 256);
        return pixels;
    }

    public static byte[] Labels(int count) => Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
}
