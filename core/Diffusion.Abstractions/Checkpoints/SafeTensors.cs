using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Diffusion.Abstractions.Checkpoints;

/// <summary>
/// Reads and writes the safetensors format (an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the raw little-endian bytes), which PyTorch, diffusers and
/// Python's safetensors read directly.
/// </summary>
public static class SafeTensors
{
    private static readonly Dictionary<ScalarType, string> DtypeNames = new()
    {
        [ScalarType.Float32] = "F32", [ScalarType.Float64] = "F64", [ScalarType.Float16] = "F16",
        [ScalarType.BFloat16] = "BF16", [ScalarType.Int64] = "I64", [ScalarType.Int32] = "I32",
        [ScalarType.Int16] = "I16", [ScalarType.Int8] = "I8", [ScalarType.Byte] = "U8", [ScalarType.Bool] = "BOOL",
    };

    /// <summary>Writes tensors (any device) and string metadata to <paramref name="path"/>, atomically.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        string temp = path + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write)) Write(stream, tensors, metadata);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            // A write that fails (disk full, a directory in the way) leaves nothing half-written behind.
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Writes tensors (any device) and string metadata to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var scope = NewDisposeScope();
        var items = tensors.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => (p.Key, Tensor: p.Value.detach().cpu().contiguous())).ToList();
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal)) meta[k] = v;
            header["__metadata__"] = meta;
        }
        long offset = 0;
        foreach (var (name, tensor) in items)
        {
            if (!DtypeNames.TryGetValue(tensor.dtype, out string? dtype))
                throw new NotSupportedException($"tensor '{name}' has dtype {tensor.dtype}, which safetensors cannot store");
            long length = tensor.NumberOfElements * tensor.ElementSize;
            header[name] = new JsonObject
            {
                ["dtype"] = dtype,
                ["shape"] = new JsonArray(tensor.shape.Select(s => (JsonNode)JsonValue.Create(s)).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + length),
            };
            offset += length;
        }
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;

        Span<byte> length8 = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length8, (ulong)padded);
        stream.Write(length8);
        stream.Write(json);
        for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        foreach (var (_, tensor) in items)
            if (tensor.NumberOfElements > 0) stream.Write(tensor.bytes);
    }

    /// <summary>Reads every tensor (on the CPU) and the metadata of a safetensors file.</summary>
    /// <exception cref="InvalidDataException">The file is not valid safetensors; the message says why.</exception>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        byte[] all = File.ReadAllBytes(path);
        if (all.Length < 8) throw new InvalidDataException($"{path}: too short to be a safetensors file");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(all);
        if (headerLength > (ulong)(all.Length - 8)) throw new InvalidDataException($"{path}: header length {headerLength} exceeds the file size");
        JsonObject header;
        try
        {
            header = JsonNode.Parse(Encoding.UTF8.GetString(all, 8, (int)headerLength))?.AsObject()
                     ?? throw new InvalidDataException($"{path}: empty header");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the header is not valid JSON ({e.Message})");
        }
        int dataStart = 8 + (int)headerLength;
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                foreach (var (k, v) in node!.AsObject()) metadata[k] = v?.GetValue<string>() ?? "";
                continue;
            }
            string dtypeName = node!["dtype"]!.GetValue<string>();
            var dtype = DtypeNames.FirstOrDefault(p => p.Value == dtypeName).Key;
            if (!DtypeNames.ContainsKey(dtype) || DtypeNames[dtype] != dtypeName)
                throw new InvalidDataException($"{path}: tensor '{name}' has unsupported dtype {dtypeName}");
            long[] shape = node["shape"]!.AsArray().Select(s => s!.GetValue<long>()).ToArray();
            var offsets = node["data_offsets"]!.AsArray();
            long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
            if (begin < 0 || end < begin || dataStart + end > all.Length)
                throw new InvalidDataException($"{path}: tensor '{name}' points outside the file");
            var tensor = empty(shape, dtype);
            if (end > begin) tensor.bytes = all.AsSpan(dataStart + (int)begin, (int)(end - begin));
            tensors[name] = tensor;
        }
        return (tensors, metadata);
    }
}
