using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace Diffusion.Core.Checkpoints;

/// <summary>
/// The storage convention compression passes use, so that a compressed network is written (and read back) in its
/// compact form without the host knowing the passes. A pass that encodes a parameter <c>P</c> of a layer registers
/// buffers beside it on the same layer, and keeps <c>P</c> itself holding the decoded values the network computes
/// with:
/// <list type="bullet">
/// <item><c>P_int8</c> (int8, shape of P) and <c>P_scale</c> (float32 [out]): symmetric per-output-channel int8,
/// P = int8 · scale.</item>
/// <item><c>P_int4</c> (uint8 [out, groups·group_size/2], two values per byte, low nibble first, each value + 8),
/// <c>P_scale</c> (float32 [out, groups]) and <c>P_shape</c> (int64, P's shape): symmetric int4 per group of
/// input weights.</item>
/// <item><c>P_fp16</c> / <c>P_bf16</c>: P stored in half precision.</item>
/// <item><c>P_mask</c> (same shape as P): a pruning mask; P is multiplied by it after every optimizer step, so
/// pruned weights stay zero through fine-tuning. Kept as it is in files.</item>
/// </list>
/// <see cref="Encode"/> drops every <c>P</c> that has an encoded form (so the file holds the compact tensors only);
/// <see cref="Decode"/> rebuilds <c>P</c> from them.
/// </summary>
public static class CompressedWeights
{
    /// <summary>Suffix of a pruning mask buffer.</summary>
    public const string MaskSuffix = "_mask";

    private static readonly string[] EncodedSuffixes = ["_int8", "_int4", "_fp16", "_bf16"];
    private static readonly string[] SideSuffixes = ["_scale", "_shape"];

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
                "_int8" => DecodeInt8(tensor, Side(stored, baseName, "_scale")),
                "_int4" => DecodeInt4(tensor, Side(stored, baseName, "_scale"), Side(stored, baseName, "_shape")),
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

    /// <summary>Multiplies every parameter that has a <c>_mask</c> buffer by it (in place, without gradients).</summary>
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

    /// <summary>
    /// Gives <paramref name="network"/> the structure of <paramref name="state"/>: each parameter or buffer whose shape
    /// differs is replaced by a zero tensor of the stored shape (pruned layers are smaller; only with
    /// <paramref name="resize"/>), and stored pruning masks the network lacks are registered on their layers. Values
    /// are not copied. Returns the names whose shape changed.
    /// </summary>
    /// <exception cref="CheckpointMismatchException">A tensor cannot be reshaped (no settable property of that name).</exception>
    public static IReadOnlyList<string> AdoptShapes(nn.Module network, IReadOnlyDictionary<string, Tensor> state, bool resize = true)
    {
        var changed = new List<string>();
        var modules = network.named_modules().ToDictionary(m => m.name, m => m.module, StringComparer.Ordinal);
        var own = network.state_dict();
        foreach (var (name, source) in state)
        {
            int dot = name.LastIndexOf('.');
            string path = dot < 0 ? "" : name[..dot], leaf = name[(dot + 1)..];
            if (!modules.TryGetValue(path, out var module)) continue;
            if (own.TryGetValue(name, out var target))
            {
                if (!resize || target.shape.SequenceEqual(source.shape)) continue;
                Replace(module, leaf, target, zeros(source.shape, target.dtype, target.device), name);
                changed.Add(name);
            }
            else if (leaf.EndsWith(MaskSuffix, StringComparison.Ordinal) && own.ContainsKey(name[..^MaskSuffix.Length]))
            {
                var device = own[name[..^MaskSuffix.Length]].device;
                module.register_buffer(leaf, ones(source.shape, source.dtype, device));
            }
        }
        return changed;
    }

    private static void Replace(nn.Module module, string leaf, Tensor current, Tensor replacement, string fullName)
    {
        bool isParameter = module.named_parameters(recurse: false).Any(p => p.name == leaf);
        var property = module.GetType().GetProperty(leaf, BindingFlags.Public | BindingFlags.Instance);
        if (property is null || !property.CanWrite)
            throw new CheckpointMismatchException($"tensor '{fullName}' has another shape in the checkpoint and {module.GetType().Name} has no settable '{leaf}' to resize");
        long[] shape = replacement.shape;
        object value = isParameter ? new TorchSharp.Modules.Parameter(replacement, current.requires_grad) : replacement; // takes over the handle
        property.SetValue(module, value);
        if (leaf == "weight") SyncLayerSizes(module, shape);
    }

    /// <summary>
    /// Updates the sizes a resized linear or convolution layer checks its input against (<c>in_features</c> and
    /// <c>out_features</c>, <c>in_channels</c> and <c>out_channels</c>) from its new weight shape.
    /// </summary>
    public static void SyncLayerSizes(nn.Module module, long[] weightShape)
    {
        if (module is TorchSharp.Modules.Linear linear)
        {
            linear.out_features = weightShape[0];
            linear.in_features = weightShape[1];
            return;
        }
        var type = module.GetType();
        if (!type.Name.StartsWith("Conv", StringComparison.Ordinal)) return;
        long groups = type.GetProperty("groups")?.GetValue(module) is long g ? g : 1;
        SetAutoProperty(module, "out_channels", weightShape[0]);
        SetAutoProperty(module, "in_channels", weightShape[1] * groups);
    }

    private static void SetAutoProperty(object target, string name, long value)
    {
        for (var type = target.GetType(); type is not null; type = type.BaseType)
        {
            var field = type.GetField($"<{name}>k__BackingField", BindingFlags.Instance | BindingFlags.NonPublic);
            if (field is null) continue;
            field.SetValue(target, Convert.ChangeType(value, field.FieldType, System.Globalization.CultureInfo.InvariantCulture));
            return;
        }
    }
}
