using System.Buffers.Binary;
using System.Text.Json;

namespace Diffusion.Cli.Tests.Distributed;

/// <summary>Reads the float32 tensors of a safetensors file (8-byte header length, JSON header, raw little-endian data).</summary>
internal static class SafeTensorsFile
{
    public static SortedDictionary<string, float[]> ReadFloats(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        var tensors = new SortedDictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__" || entry.Value.GetProperty("dtype").GetString() != "F32") continue;
            var offsets = entry.Value.GetProperty("data_offsets");
            int begin = (int)(8 + headerLength + offsets[0].GetInt64()), end = (int)(8 + headerLength + offsets[1].GetInt64());
            var values = new float[(end - begin) / 4];
            for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(begin + 4 * i));
            tensors[entry.Name] = values;
        }
        return tensors;
    }

    /// <summary>‖a − b‖ / ‖a‖ over every tensor of both files (same names required).</summary>
    public static double RelativeDifference(string a, string b)
    {
        var left = ReadFloats(a);
        var right = ReadFloats(b);
        Assert.Equal(left.Keys, right.Keys);
        double difference = 0, norm = 0;
        foreach (var (name, values) in left)
        {
            var other = right[name];
            Assert.Equal(values.Length, other.Length);
            for (int i = 0; i < values.Length; i++)
            {
                difference += Math.Pow(values[i] - (double)other[i], 2);
                norm += (double)values[i] * values[i];
            }
        }
        return Math.Sqrt(difference) / Math.Max(Math.Sqrt(norm), 1e-30);
    }
}
