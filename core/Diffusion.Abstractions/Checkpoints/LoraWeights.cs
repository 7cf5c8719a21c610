using System.Globalization;
using static TorchSharp.torch;

namespace Diffusion.Abstractions.Checkpoints;

/// <summary>
/// How a LoRA adapter is stored, shared by the stages that train and load adapters and by <c>diffusion export</c>, which
/// merges them: a safetensors file holding, for each adapted layer at path <c>P</c> (its dotted name in the network),
/// <c>P.lora_A.weight</c> (the down projection [r, in] for a linear layer, [r, in, kh, kw] for a convolution) and
/// <c>P.lora_B.weight</c> (the up projection [out, r], or [out, r, 1, 1]), the key names of PEFT and diffusers. The
/// metadata holds <see cref="RankKey"/> and <see cref="AlphaKey"/>; the layer's weight W becomes
/// W + (alpha / r) · B·A (reshaped to W's shape), and its output y becomes y + (alpha / r) · B(A(x)).
/// </summary>
public static class LoraWeights
{
    /// <summary>Suffix of an adapted layer's down projection.</summary>
    public const string ASuffix = ".lora_A.weight";

    /// <summary>Suffix of an adapted layer's up projection.</summary>
    public const string BSuffix = ".lora_B.weight";

    /// <summary>The <c>format</c> metadata value of an adapter file.</summary>
    public const string Format = "diffusion-framework/lora";

    /// <summary>Metadata key of the rank r.</summary>
    public const string RankKey = "lora_rank";

    /// <summary>Metadata key of alpha (the update is scaled by alpha / r).</summary>
    public const string AlphaKey = "lora_alpha";

    /// <summary>The adapted layers' paths in a file's tensors, in key order; a layer with only one of A and B is an error.</summary>
    /// <exception cref="CheckpointMismatchException">An A without its B or the other way round, or no adapter keys at all.</exception>
    public static IReadOnlyList<string> Layers(IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        var a = tensors.Keys.Where(k => k.EndsWith(ASuffix, StringComparison.Ordinal)).Select(k => k[..^ASuffix.Length]).ToHashSet(StringComparer.Ordinal);
        var b = tensors.Keys.Where(k => k.EndsWith(BSuffix, StringComparison.Ordinal)).Select(k => k[..^BSuffix.Length]).ToHashSet(StringComparer.Ordinal);
        if (a.Count == 0 && b.Count == 0)
            throw new CheckpointMismatchException($"{source} holds no LoRA tensors (keys ending in {ASuffix} and {BSuffix}); is it an adapter file?");
        var unpaired = a.Except(b).Concat(b.Except(a)).Order(StringComparer.Ordinal).ToList();
        if (unpaired.Count > 0)
            throw new CheckpointMismatchException($"{source}: layer '{unpaired[0]}' has only one of {ASuffix} and {BSuffix}; the file is incomplete");
        return a.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>alpha / r from a file's metadata; a file without them (PEFT keeps alpha elsewhere) scales by 1.</summary>
    public static double Scale(IReadOnlyDictionary<string, string> metadata)
    {
        bool hasRank = metadata.TryGetValue(RankKey, out string? rank);
        bool hasAlpha = metadata.TryGetValue(AlphaKey, out string? alpha);
        if (!hasRank || !hasAlpha) return 1.0;
        return double.Parse(alpha!, CultureInfo.InvariantCulture) / double.Parse(rank!, CultureInfo.InvariantCulture);
    }

    /// <summary>The weight update B·A of one layer, reshaped to <paramref name="weightShape"/> (not yet scaled).</summary>
    public static Tensor Delta(Tensor a, Tensor b, long[] weightShape)
    {
        using var scope = NewDisposeScope();
        var delta = b.flatten(1).to_type(ScalarType.Float32).matmul(a.flatten(1).to_type(ScalarType.Float32));
        if (delta.numel() != weightShape.Aggregate(1L, (p, d) => p * d))
            throw new CheckpointMismatchException(
                $"a LoRA update of shape [{delta.shape[0]}, {delta.shape[1]}] does not fit a weight of shape [{string.Join(", ", weightShape)}]");
        return scope.MoveToOuter(delta.reshape(weightShape));
    }

    /// <summary>
    /// Adds <paramref name="weight"/> · (alpha / r) · B·A of every layer in the adapter file <paramref name="adapterPath"/>
    /// to <c>P.weight</c> in <paramref name="weights"/> (replacing those tensors; the old ones are disposed). Returns the
    /// number of layers merged.
    /// </summary>
    /// <exception cref="CheckpointMismatchException">The file is not an adapter, or names a layer the weights do not have or whose shape differs.</exception>
    public static int MergeInto(Dictionary<string, Tensor> weights, string adapterPath, double weight)
    {
        var (tensors, metadata) = SafeTensors.Read(adapterPath);
        try
        {
            var layers = Layers(tensors, adapterPath);
            double scale = Scale(metadata) * weight;
            foreach (string layer in layers)
            {
                string key = layer + ".weight";
                if (!weights.TryGetValue(key, out var target))
                    throw new CheckpointMismatchException(
                        $"{adapterPath} adapts layer '{layer}', but the weights have no float tensor '{key}' (another architecture, or a compressed file): merge into the weights the adapter was trained on");
                using var delta = Delta(tensors[layer + ASuffix], tensors[layer + BSuffix], target.shape);
                var merged = (target.to_type(ScalarType.Float32) + scale * delta).to_type(target.dtype);
                target.Dispose();
                weights[key] = merged;
            }
            return layers.Count;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
