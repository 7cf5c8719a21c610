namespace Diffusion.Modalities.Image.Png;

/// <summary>The CRC-32 of PNG chunks (and zip, gzip): reflected polynomial 0xEDB88320, table-driven.</summary>
internal static class Crc32
{
    /// <summary>The running value to start from.</summary>
    public const uint Initial = 0xFFFFFFFFu;

    private static readonly uint[] Table = BuildTable();

    /// <summary>Feeds <paramref name="data"/> into a running CRC.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    /// <summary>The final CRC value of a running CRC.</summary>
    public static uint Finish(uint crc) => crc ^ 0xFFFFFFFFu;

    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Append(Initial, data));

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
