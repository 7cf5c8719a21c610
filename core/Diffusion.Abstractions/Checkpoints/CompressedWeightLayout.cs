using static TorchSharp.torch;

namespace Diffusion.Abstractions.Checkpoints;

/// <summary>
/// How a compressed network is stored, shared by the compression passes that encode weights, the stages that write and
/// load weights files, and anyone reading those files: a pass that encodes a parameter <c>P</c> of a layer registers
/// buffers beside it on the same layer, named <c>P</c> + a suffix below, and keeps <c>P</c> itself holding the decoded
/// values the network computes with:
/// <list type="bullet">
/// <item><see cref="Int8Suffix"/> (int8, shape of P) and <see cref="ScaleSuffix"/> (float32 [out]): symmetric
/// per-output-channel int8, P = int8 · scale.</item>
/// <item><see cref="Int4Suffix"/> (uint8 [out, groups·group_size/2], two values per byte, low nibble first, each value + 8),
/// <see cref="ScaleSuffix"/> (float32 [out, groups]) and <see cref="ShapeSuffix"/> (int64, P's shape): symmetric int4 per
/// group of input weights.</item>
/// <item><see cref="Fp16Suffix"/> / <see cref="Bf16Suffix"/>: P stored in half precision (float16 / bfloat16).</item>
/// <item><see cref="MaskSuffix"/> (same shape as P): a pruning mask; P is multiplied by it after every optimizer step, so
/// pruned weights stay zero through fine-tuning. Kept as it is in files.</item>
/// </list>
/// A parameter has at most one encoded form. <see cref="Encode"/> drops every <c>P</c> that has one (so a file holds the
/// compact tensors only); <see cref="Decode"/> rebuilds <c>P</c> from them.
/// </summary>
public static class CompressedWeightLayout
{
    /// <summary>Suffix of the int8 values of a per-output-channel int8 parameter (int8, the parameter's shape).</summary>
    public const string Int8Suffix = "_int8";

    /// <summary>Suffix of the packed int4 values of a per-group int4 parameter (uint8 [out, groups·group_size/2]).</summary>
    public const string Int4Suffix = "_int4";

    /// <summary>Suffix of the float32 scales of an int8 ([out]) or int4 ([out, groups]) parameter.</summary>
    public const string ScaleSuffix = "_scale";

    /// <summary>Suffix of the int64 shape of an int4 parameter (its packed values are padded to whole groups).</summary>
    public const string ShapeSuffix = "_shape";

    /// <summary>Suffix of a parameter stored as float16.</summary>
    public const string Fp16Suffix = "_fp16";

    /// <summary>Suffix of a parameter stored as bfloat16.</summary>
    public const string Bf16Suffix = "_bf16";

    /// <summary>Suffix of a pruning mask buffer (same shape as its parameter; not an encoding: kept in files as it is).</summary>
    public const string MaskSuffix = "_mask";

    /// <summary>The suffixes of the encoded forms that replace their parameter in files: int8, int4, float16, bfloat16.</summary>
    public static IReadOnlyList<string> EncodedSuffixes { get; } = [Int8Suffix, Int4Suffix, Fp16Suffix, Bf16Suffix];

    /// <summary>The suffixes of the tensors that accompany an encoded form: scales and shape.</summary>
    public static IReadOnlyList<string> SideSuffixes { get; } = [ScaleSuffix, ShapeSuffix];

    /// <summary>The tensors to store: <paramref name="state"/> without the parameters that have an encoded form.</summary>
    public static IEnumerable<KeyValuePair<string, Tensor>> Encode(IReadOnlyDictionary<string, Tensor> state) =>
        state.Where(p => !EncodedSuffixes.Any(s => state.ContainsKey(p.Key + s)));

    /// <summary>True when <paramref name="state"/> holds encoded tensors (a compressed checkpoint).</summary>
    public static bool IsEncoded(IReadOnlyDictionary<string, Tensor> state) =>
        state.Keys.Any(k => EncodedSuffixes.Any(k.EndsWith));

    /// <summary>
    /// Decodes a stored state: every encoded parameter becomes a float32 tensor under its own name and the encoding
    /// tensors are dropped (pruning masks are kept). The tensors of <paramref name="stored"/> that are not returned are
    /// disposed.
    /// </summary>
    public static Dictionary<string, Tensor> Decode(Dictionary<string, Tensor> stored)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var consumed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in stored)
        {
            string? suffix = EncodedSuffixes.FirstOrDefault(name.EndsWith);
            if (suffix is null) continue;
            string baseName = name[..^suffix.Length];
            result[baseName] = suffix switch
            {
                Int8Suffix => DecodeInt8(tensor, Side(stored, baseName, ScaleSuffix)),
                Int4Suffix => DecodeInt4(tensor, Side(stored, baseName, ScaleSuffix), Side(stored, baseName, ShapeSuffix)),
                _ => tensor.to_type(ScalarType.Float32),
            };
            consumed.Add(name);
            foreach (string side in SideSuffixes) consumed.Add(baseName + side);
        }
        foreach (var (name, tensor) in stored)
        {
            if (consumed.Contains(name)) tensor.Dispose();
            else if (!result.ContainsKey(name)) result[name] = tensor;
            else tensor.Dispose();
        }
        return result;
    }

    private static Tensor Side(Dictionary<string, Tensor> stored, string baseName, string suffix) =>
        stored.TryGetValue(baseName + suffix, out var t) ? t : throw new InvalidDataException($"encoded tensor '{baseName}' has no '{baseName}{suffix}'");

    /// <summary>int8 [out, ...] times per-output-channel scales [out].</summary>
    public static Tensor DecodeInt8(Tensor q, Tensor scale)
    {
        var shape = new long[q.dim()];
        Array.Fill(shape, 1L);
        shape[0] = -1;
        return q.to_type(ScalarType.Float32) * scale.to_type(ScalarType.Float32).reshape(shape);
    }

    /// <summary>Unpacks int4 pairs (low nibble first, offset 8) grouped per output row, scales them and reshapes to <paramref name="shape"/>.</summary>
    public static Tensor DecodeInt4(Tensor packed, Tensor scale, Tensor shape)
    {
        using var scope = NewDisposeScope();
        long[] dims = shape.data<long>().ToArray();
        long rows = dims[0], cols = dims.Skip(1).Aggregate(1L, (a, b) => a * b);
        var bytes = packed.to_type(ScalarType.Int16);
        var low = bytes.bitwise_and(15);
        var high = bytes.bitwise_right_shift(4).bitwise_and(15);
        var values = stack([low, high], dim: -1).reshape(rows, -1).to_type(ScalarType.Float32) - 8;
        long groups = scale.shape[1];
        var scaled = values.reshape(rows, groups, -1) * scale.to_type(ScalarType.Float32).unsqueeze(-1);
        return scope.MoveToOuter(scaled.reshape(rows, -1).narrow(1, 0, cols).reshape(dims).contiguous());
    }

    /// <summary>
    /// Bytes the weights of the linear and convolution layers take when stored: an encoded weight counts its encoded
    /// tensors (int8 or packed int4 values, scales, shape; or its half copy), any other weight its own bytes. Biases,
    /// norms and pruning masks are not counted.
    /// </summary>
    public static long LayerWeightBytes(nn.Module network)
    {
        long total = 0;
        foreach (var (_, module) in network.named_modules())
        {
            if (module is not (TorchSharp.Modules.Linear or TorchSharp.Modules.Conv1d or TorchSharp.Modules.Conv2d or TorchSharp.Modules.Conv3d)) continue;
            var buffers = module.named_buffers(recurse: false).ToDictionary(b => b.name, b => b.buffer, StringComparer.Ordinal);
            var weight = module.named_parameters(recurse: false).First(p => p.name == "weight").parameter;
            string? codec = EncodedSuffixes.FirstOrDefault(s => buffers.ContainsKey("weight" + s));
            if (codec is null)
            {
                total += weight.numel() * weight.ElementSize;
                continue;
            }
            foreach (string suffix in SideSuffixes.Append(codec))
                if (buffers.TryGetValue("weight" + suffix, out var t)) total += t.numel() * t.ElementSize;
        }
        return total;
    }

    /// <summary>Multiplies every parameter that has a <see cref="MaskSuffix"/> buffer by it (in place, without gradients).</summary>
    public static void ApplyMasks(nn.Module network)
    {
        using var noGrad = no_grad();
        foreach (var (_, module) in network.named_modules())
        {
            var parameters = module.named_parameters(recurse: false).ToDictionary(p => p.name, p => p.parameter);
            foreach (var (name, buffer) in module.named_buffers(recurse: false))
            {
                if (name.EndsWith(MaskSuffix, StringComparison.Ordinal) && parameters.TryGetValue(name[..^MaskSuffix.Length], out var p))
                    p.mul_(buffer);
            }
        }
    }
}
