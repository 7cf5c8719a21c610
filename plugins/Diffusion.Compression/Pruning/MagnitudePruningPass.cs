namespace Diffusion.Compression.Pruning;

/// <summary>
/// Unstructured magnitude pruning: the round(sparsity · n) weights of smallest magnitude (over all layers, or in each
/// layer) become zero. Each pruned layer gets a <c>weight_mask</c> buffer; the train stage multiplies the weight by it
/// after every optimizer step, so a fine-tune (<c>init_from_previous: true</c>) keeps the sparsity.
/// </summary>
[Plugin(PluginKind.Compression, "prune-magnitude", Options = typeof(MagnitudePruningOptions),
    Description = "Unstructured magnitude pruning to a target sparsity (global or per layer); masks stay applied through fine-tuning.")]
public sealed class MagnitudePruningPass(MagnitudePruningOptions options) : ICompressionPass
{
    /// <inheritdoc />
    public DenoiserModule Apply(DenoiserModule model, IRunContext context)
    {
        var layers = WeightLayers.Find(model, options.Exclude);
        if (layers.Count == 0) throw new PluginInputException("prune-magnitude: the model has no linear or convolution layer left after 'exclude'");
        using var noGrad = no_grad();
        long pruned = 0, total = 0;
        if (options.Scope == PruningScope.Layer)
        {
            foreach (var layer in layers)
            {
                using var scope = NewDisposeScope();
                long n = layer.Weight.numel();
                long k = (long)Math.Round(options.Sparsity * n);
                var keep = ones(n, dtype: ScalarType.Bool, device: layer.Weight.device);
                if (k > 0) keep.index_fill_(0, layer.Weight.detach().abs().flatten().argsort().narrow(0, 0, k), false);
                SetMask(layer, keep.reshape(layer.Weight.shape));
                pruned += k;
                total += n;
            }
        }
        else
        {
            using var scope = NewDisposeScope();
            var magnitudes = cat(layers.Select(l => l.Weight.detach().abs().flatten().cpu()).ToArray());
            total = magnitudes.numel();
            pruned = (long)Math.Round(options.Sparsity * total);
            var keep = ones(total, dtype: ScalarType.Bool);
            if (pruned > 0) keep.index_fill_(0, magnitudes.argsort().narrow(0, 0, pruned), false);
            long offset = 0;
            foreach (var layer in layers)
            {
                long n = layer.Weight.numel();
                SetMask(layer, keep.narrow(0, offset, n).reshape(layer.Weight.shape).to(layer.Weight.device));
                offset += n;
            }
        }
        context.Logger.LogInformation("prune-magnitude: {Pruned:N0} of {Total:N0} weights in {Layers} layers are zero ({Sparsity:P1})",
            pruned, total, layers.Count, (double)pruned / total);
        return model;
    }

    /// <summary>Sets the layer's mask (combined with an earlier one, whose zeros rank first anyway) and applies it.</summary>
    private static void SetMask(WeightLayer layer, Tensor keep)
    {
        var mask = keep.to_type(layer.Weight.dtype);
        const string maskName = "weight" + CompressedWeightLayout.MaskSuffix;
        var previous = layer.Module.named_buffers(recurse: false).FirstOrDefault(b => b.name == maskName).buffer;
        if (previous is not null) mask = mask * previous;
        WeightLayers.SetBuffer(layer.Module, maskName, mask, layer.Weight);
        layer.Weight.mul_(mask);
    }
}
