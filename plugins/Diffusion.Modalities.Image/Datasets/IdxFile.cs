using System.Buffers.Binary;
using System.IO.Compression;

namespace Diffusion.Modalities.Image.Datasets;

/// <summary>
/// Reads unsigned-byte IDX files (the MNIST format: magic 0x00 0x00 0x08 ndims, ndims big-endian int32 sizes,
/// then the bytes), raw or gzip-compressed (recognised by content, not by name). Every problem is a
/// <see cref="PluginInputException"/> that names the file.
/// </summary>
internal static class IdxFile
{
    private const byte UnsignedByteType = 0x08;

    /// <summary>An IDX array: its dimensions and its first items' bytes.</summary>
    public sealed record Contents(int[] Dims, byte[] Data);

    /// <summary>
    /// Reads a file of <paramref name="expectedDims"/> dimensions, keeping at most <paramref name="maxItems"/>
    /// items along the first dimension (all when 0).
    /// </summary>
    public static Contents Read(string path, int expectedDims, int maxItems = 0)
    {
        try
        {
            using var file = File.OpenRead(path);
            using var stream = IsGzip(file) ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
            return ReadFrom(stream, path, expectedDims, maxItems);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new PluginInputException($"{path}: cannot read the IDX file ({e.Message}); the file may be corrupt: reinstall or replace it", e);
        }
    }

    private static bool IsGzip(FileStream file)
    {
        Span<byte> head = stackalloc byte[2];
        int n = file.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return n == 2 && head[0] == 0x1f && head[1] == 0x8b;
    }

    private static Contents ReadFrom(Stream stream, string path, int expectedDims, int maxItems)
    {
        Span<byte> magic = stackalloc byte[4];
        if (stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4)
            throw Bad(path, "it is too short to hold an IDX header");
        if (magic[0] != 0 || magic[1] != 0)
            throw Bad(path, $"bad magic number 0x{magic[0]:x2}{magic[1]:x2}{magic[2]:x2}{magic[3]:x2}: this is not an IDX file");
        if (magic[2] != UnsignedByteType)
            throw Bad(path, $"bad magic number: element type 0x{magic[2]:x2}, expected 0x08 (unsigned bytes)");
        if (magic[3] != expectedDims)
            throw Bad(path, $"bad magic number: {magic[3]} dimensions, expected {expectedDims} (magic 0x{0x800 + expectedDims:x8})");

        var dims = new int[expectedDims];
        Span<byte> word = stackalloc byte[4];
        for (int i = 0; i < expectedDims; i++)
        {
            if (stream.ReadAtLeast(word, 4, throwOnEndOfStream: false) < 4)
                throw Bad(path, "the header is truncated");
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(word);
            if (dims[i] <= 0)
                throw Bad(path, $"dimension {i} has size {dims[i]}, expected a positive size");
        }

        long itemBytes = 1;
        for (int i = 1; i < dims.Length; i++) itemBytes *= dims[i];
        int items = maxItems > 0 ? Math.Min(maxItems, dims[0]) : dims[0];
        long wanted = items * itemBytes;
        if (wanted > Array.MaxLength)
            throw Bad(path, $"{wanted} bytes of data is more than can be loaded at once; set limit:");
        var data = new byte[wanted];
        int read = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        if (read < data.Length)
            throw Bad(path, $"it is truncated: the header announces {dims[0]} items of {itemBytes} bytes, but the data ends after {read} bytes");
        dims[0] = items;
        return new Contents(dims, data);
    }

    private static PluginInputException Bad(string path, string what) =>
        new($"{path}: {what}; reinstall the dataset or replace the file");
}
