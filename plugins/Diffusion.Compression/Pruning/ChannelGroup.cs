using TorchSharp.Modules;

namespace Diffusion.Compression.Pruning;

/// <summary>
/// Hidden channels that can be removed without touching the rest of the network: rows of the layers that produce them
/// (weight [C, ...], bias [C]), the GroupNorm that normalises them, and columns of the layer that consumes them
/// (weight [out, C, ...]). Residual streams, skip concatenations and attention (whose head split depends on the stream
/// width) are left whole, so every add and concatenation keeps matching shapes.
/// </summary>
/// <param name="Name">The block's path in the network.</param>
/// <param name="Producers">Layers whose output rows are the channels; the first one's filters rank channels by L1 norm.</param>
/// <param name="Norm">The GroupNorm over the channels, or null; kept channels are a multiple of its group count.</param>
/// <param name="Consumer">The layer reading the channels.</param>
internal sealed record ChannelGroup(string Name, IReadOnlyList<nn.Module> Producers, GroupNorm? Norm, nn.Module Consumer)
{
    /// <summary>Number of channels now.</summary>
    public long Channels => Weight(Producers[0]).shape[0];

    /// <summary>
    /// Finds the groups the first-party denoisers have: unet2d residual blocks (<c>conv1</c> and <c>time_proj</c> produce,
    /// <c>norm2</c> normalises, <c>conv2</c> consumes) and mlp blocks (<c>fc1</c> and <c>cond_proj</c> produce, <c>fc2</c> consumes).
    /// </summary>
    public static List<ChannelGroup> Find(nn.Module network)
    {
        var groups = new List<ChannelGroup>();
        foreach (var (name, module) in network.named_modules())
        {
            var children = module.named_children().ToDictionary(c => c.name, c => c.module, StringComparer.Ordinal);
            if (children.GetValueOrDefault("conv1") is Conv2d conv1 && children.GetValueOrDefault("conv2") is Conv2d conv2
                && children.GetValueOrDefault("norm2") is GroupNorm norm2)
            {
                var producers = new List<nn.Module> { conv1 };
                if (children.GetValueOrDefault("time_proj") is Linear timeProj) producers.Add(timeProj);
                groups.Add(new ChannelGroup(name, producers, norm2, conv2));
            }
            else if (children.GetValueOrDefault("fc1") is Linear fc1 && children.GetValueOrDefault("fc2") is Linear fc2)
            {
                var producers = new List<nn.Module> { fc1 };
                if (children.GetValueOrDefault("cond_proj") is Linear condProj) producers.Add(condProj);
                groups.Add(new ChannelGroup(name, producers, null, fc2));
            }
        }
        return groups;
    }

    /// <summary>Every parameter tied to channel c, with the dimension that indexes channels.</summary>
    public IEnumerable<(Parameter Parameter, int Dim)> ChannelParameters()
    {
        foreach (var producer in Producers)
            foreach (var (_, p) in producer.named_parameters(recurse: false)) yield return (p, 0);
        if (Norm is not null)
            foreach (var (_, p) in Norm.named_parameters(recurse: false)) yield return (p, 0);
        yield return (Weight(Consumer), 1);
    }

    /// <summary>Keeps only the channels in <paramref name="keep"/> (sorted indices), replacing the parameters with smaller ones.</summary>
    public void Keep(Tensor keep)
    {
        foreach (var producer in Producers) Shrink(producer, keep, 0, withBias: true);
        if (Norm is not null) Shrink(Norm, keep, 0, withBias: true);
        Shrink(Consumer, keep, 1, withBias: false);
    }

    private static void Shrink(nn.Module module, Tensor keep, int dim, bool withBias)
    {
        foreach (var (name, p) in module.named_parameters(recurse: false).ToList())
        {
            if (name != "weight" && !(withBias && name == "bias")) continue;
            var smaller = new Parameter(p.detach().index_select(dim, keep.to(p.device)).contiguous(), p.requires_grad);
            var property = module.GetType().GetProperty(name) ?? throw new InvalidOperationException($"{module.GetType().Name} has no property '{name}'");
            property.SetValue(module, smaller);
            if (name == "weight") SyncLayerSizes(module, smaller.shape);
        }
    }

    /// <summary>
    /// Updates the sizes a shrunk layer checks its input against: <c>in_features</c>/<c>out_features</c> of a linear
    /// layer, <c>in_channels</c>/<c>out_channels</c> of a convolution (read-only properties in TorchSharp, so their
    /// backing fields are set), <c>num_channels</c> of a GroupNorm is not checked by its forward.
    /// </summary>
    private static void SyncLayerSizes(nn.Module module, long[] weightShape)
    {
        if (module is Linear linear)
        {
            linear.out_features = weightShape[0];
            linear.in_features = weightShape[1];
        }
        else if (module is Conv2d conv)
        {
            SetBackingField(conv, "out_channels", weightShape[0]);
            SetBackingField(conv, "in_channels", weightShape[1] * conv.groups);
        }
    }

    private static void SetBackingField(object target, string name, long value)
    {
        for (var type = target.GetType(); type is not null; type = type.BaseType)
        {
            var field = type.GetField($"<{name}>k__BackingField", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic);
            if (field is null) continue;
            field.SetValue(target, Convert.ChangeType(value, field.FieldType, System.Globalization.CultureInfo.InvariantCulture));
            return;
        }
        throw new InvalidOperationException($"{target.GetType().Name} has no '{name}' to update after shrinking");
    }

    private static Parameter Weight(nn.Module module) => module.named_parameters(recurse: false).First(p => p.name == "weight").parameter;
}
