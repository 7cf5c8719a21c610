using TorchSharp.Modules;

namespace Diffusion.Compression.Weights;

/// <summary>A linear or convolution layer of a network, by its dotted name.</summary>
/// <param name="Name">The layer's path in the network (<c>down_blocks.0.res.conv1</c>).</param>
/// <param name="Module">The layer.</param>
/// <param name="Weight">Its weight [out, in/groups, k...].</param>
internal sealed record WeightLayer(string Name, nn.Module Module, Parameter Weight);

/// <summary>Finds the layers compression works on (<c>Linear</c>, <c>Conv1d/2d/3d</c>) and sets buffers on them.</summary>
internal static class WeightLayers
{
    /// <summary>Every linear or convolution layer of <paramref name="network"/> whose name contains none of <paramref name="exclude"/>.</summary>
    public static List<WeightLayer> Find(nn.Module network, IReadOnlyCollection<string>? exclude = null) =>
        network.named_modules()
            .Where(m => m.module is Linear or Conv1d or Conv2d or Conv3d)
            .Where(m => exclude is null || !exclude.Any(e => m.name.Contains(e, StringComparison.Ordinal)))
            .Select(m => new WeightLayer(m.name, m.module, m.module.named_parameters(recurse: false).First(p => p.name == "weight").parameter))
            .ToList();

    /// <summary>True when <paramref name="module"/> has a buffer named <paramref name="name"/>.</summary>
    public static bool HasBuffer(nn.Module module, string name) => module.named_buffers(recurse: false).Any(b => b.name == name);

    /// <summary>Registers a buffer on a layer (on the device of <paramref name="like"/>), or overwrites one of the same shape and type.</summary>
    public static void SetBuffer(nn.Module module, string name, Tensor value, Tensor like)
    {
        var existing = module.named_buffers(recurse: false).FirstOrDefault(b => b.name == name).buffer;
        var placed = value.detach().to(like.device);
        if (existing is not null && existing.shape.SequenceEqual(placed.shape) && existing.dtype == placed.dtype)
        {
            existing.copy_(placed);
            return;
        }
        if (existing is not null)
            throw new InvalidOperationException($"layer already has a buffer '{name}' of another shape or type; a weight is encoded once");
        module.register_buffer(name, placed.contiguous().DetachFromDisposeScope(), persistent: true);
    }

    /// <summary>
    /// Runs <paramref name="quantize"/> on every linear and convolution weight of <paramref name="network"/> (except
    /// <paramref name="exclude"/>), each in its own dispose scope and without gradients; a layer that already carries
    /// <paramref name="otherBuffer"/> (another weight quantization) is refused. Returns how many layers were quantized.
    /// </summary>
    public static int QuantizeEach(nn.Module network, IReadOnlyCollection<string> exclude, string pass, string otherBuffer, Action<WeightLayer> quantize)
    {
        var layers = Find(network, exclude);
        using var noGrad = no_grad();
        foreach (var layer in layers)
        {
            using var scope = NewDisposeScope();
            if (HasBuffer(layer.Module, otherBuffer))
                throw new PluginInputException($"{pass}: layer '{layer.Name}' already carries '{otherBuffer}' from another weight quantization; apply one weight quantization pass");
            quantize(layer);
        }
        return layers.Count;
    }
}
