using System.Reflection;

namespace Diffusion.Stages.Checkpoints;

/// <summary>
/// Gives a freshly built network the structure of stored weights: a structurally pruned network's smaller layers, and
/// the pruning masks of <see cref="CompressedWeightLayout"/>.
/// </summary>
internal static class NetworkShapes
{
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
            else if (leaf.EndsWith(CompressedWeightLayout.MaskSuffix, StringComparison.Ordinal) && own.ContainsKey(name[..^CompressedWeightLayout.MaskSuffix.Length]))
            {
                var device = own[name[..^CompressedWeightLayout.MaskSuffix.Length]].device;
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
    private static void SyncLayerSizes(nn.Module module, long[] weightShape)
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
