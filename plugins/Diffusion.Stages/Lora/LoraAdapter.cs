using System.Globalization;
using TorchSharp.Modules;

namespace Diffusion.Stages.Lora;

/// <summary>
/// LoRA adapters attached to a network: each wrapped layer keeps its own weights (frozen by <see cref="FreezeBase"/>)
/// and gains an update through a forward hook, so the network's own tensors, names and files are untouched. Adapters
/// are saved alone (<see cref="Save"/>, PEFT key names, see <see cref="LoraWeights"/>), several can be loaded onto one
/// network with weights (<see cref="Load"/>), and <see cref="Merge"/> folds them into the layers' weights.
/// </summary>
internal sealed class LoraAdapter : IDisposable
{
    private readonly List<LoraLayer> _layers;
    private readonly List<Action> _removers = [];

    private LoraAdapter(List<LoraLayer> layers, int rank, double alpha)
    {
        _layers = layers;
        Rank = rank;
        Alpha = alpha;
        foreach (var layer in layers)
        {
            var captured = layer;
            var module = (nn.Module<Tensor, Tensor>)layer.Layer;
            _removers.Add(module.register_forward_hook((_, input, output) => output + captured.Update(input)).remove);
        }
    }

    /// <summary>The adapted layers.</summary>
    public IReadOnlyList<LoraLayer> Layers => _layers;

    /// <summary>The rank r.</summary>
    public int Rank { get; }

    /// <summary>alpha (updates scale by alpha / r).</summary>
    public double Alpha { get; }

    /// <summary>Number of adapter parameters.</summary>
    public long ParameterCount => _layers.Sum(l => l.A.numel() + l.B.numel());

    /// <summary>The adapters' parameters (what a fine-tune trains).</summary>
    public IEnumerable<Parameter> Parameters() => _layers.SelectMany(l => new[] { l.A, l.B });

    /// <summary>Puts the adapters' dropout in training or evaluation mode.</summary>
    public void Train(bool on)
    {
        foreach (var layer in _layers) layer.train(on);
    }

    /// <summary>
    /// Wraps the layers of <paramref name="network"/> that <paramref name="settings"/> targets with fresh adapters:
    /// A drawn like a linear layer's default init (Kaiming uniform) from <paramref name="generator"/>, B zero.
    /// </summary>
    public static LoraAdapter Attach(nn.Module network, LoraSettings settings, Generator generator)
    {
        double scale = settings.Alpha / settings.Rank;
        var layers = new List<LoraLayer>();
        foreach (var (path, layer) in LoraTargets.Find(network, settings.Targets))
        {
            var weight = layer.named_parameters(recurse: false).First(p => p.name == "weight").parameter;
            long[] aShape = weight.dim() == 4 ? [settings.Rank, weight.shape[1], weight.shape[2], weight.shape[3]] : [settings.Rank, weight.shape[1]];
            long[] bShape = weight.dim() == 4 ? [weight.shape[0], settings.Rank, 1, 1] : [weight.shape[0], settings.Rank];
            long fanIn = aShape.Skip(1).Aggregate(1L, (p, d) => p * d);
            double bound = 1.0 / Math.Sqrt(fanIn); // kaiming_uniform(a = sqrt 5), PyTorch's default for linear and conv weights
            using var a = (rand(aShape, generator: generator) * 2 - 1) * bound;
            using var b = zeros(bShape);
            layers.Add(new LoraLayer(path, layer, a.to(weight.dtype, weight.device), b.to(weight.dtype, weight.device), scale, settings.Dropout));
        }
        return new LoraAdapter(layers, settings.Rank, settings.Alpha);
    }

    /// <summary>
    /// Loads the adapter file at <paramref name="path"/> onto <paramref name="network"/>, its update scaled by
    /// <paramref name="weight"/>. Every layer it names must exist with a fitting shape.
    /// </summary>
    /// <exception cref="CheckpointMismatchException">The file is no adapter, or does not fit the network.</exception>
    public static LoraAdapter Load(nn.Module network, string path, double weight)
    {
        var (tensors, metadata) = SafeTensors.Read(path);
        try
        {
            var modules = network.named_modules().ToDictionary(m => m.name, m => m.module, StringComparer.Ordinal);
            double scale = LoraWeights.Scale(metadata);
            var layers = new List<LoraLayer>();
            int rank = 0;
            foreach (string name in LoraWeights.Layers(tensors, path))
            {
                if (!modules.TryGetValue(name, out var layer) || layer is not (Linear or Conv2d))
                    throw new CheckpointMismatchException($"{path} adapts layer '{name}', which the network has no linear or convolution layer at: load it onto the model it was trained for");
                var a = tensors[name + LoraWeights.ASuffix];
                var b = tensors[name + LoraWeights.BSuffix];
                var baseWeight = layer.named_parameters(recurse: false).First(p => p.name == "weight").parameter;
                bool fits = a.shape[0] == b.shape[1] && b.shape[0] == baseWeight.shape[0] && a.shape.Skip(1).SequenceEqual(baseWeight.shape.Skip(1));
                if (!fits)
                    throw new CheckpointMismatchException(
                        $"{path}: the adapter of '{name}' (A [{string.Join(", ", a.shape)}], B [{string.Join(", ", b.shape)}]) does not fit its weight [{string.Join(", ", baseWeight.shape)}]");
                rank = (int)a.shape[0];
                layers.Add(new LoraLayer(name, layer, a.to_type(ScalarType.Float32).to(baseWeight.device), b.to_type(ScalarType.Float32).to(baseWeight.device), scale, 0) { Weight = weight });
            }
            double alpha = metadata.TryGetValue(LoraWeights.AlphaKey, out string? text) ? double.Parse(text, CultureInfo.InvariantCulture) : rank;
            var adapter = new LoraAdapter(layers, rank, alpha);
            adapter.Train(false);
            foreach (var p in adapter.Parameters()) p.requires_grad = false;
            return adapter;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>Stops gradients to every parameter of <paramref name="network"/> (the adapters are not part of it).</summary>
    public static void FreezeBase(nn.Module network)
    {
        foreach (var p in network.parameters()) p.requires_grad = false;
    }

    /// <summary>The adapter tensors under their PEFT names (<c>PATH.lora_A.weight</c>, <c>PATH.lora_B.weight</c>), on the CPU.</summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var layer in _layers)
        {
            tensors[layer.Path + LoraWeights.ASuffix] = layer.A.detach().cpu().contiguous();
            tensors[layer.Path + LoraWeights.BSuffix] = layer.B.detach().cpu().contiguous();
        }
        return tensors;
    }

    /// <summary>Writes the adapters alone, with rank, alpha and the targets in the metadata (plus <paramref name="extra"/>).</summary>
    public void Save(Stream stream, IReadOnlyList<string> targets, IReadOnlyDictionary<string, string>? extra = null)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = LoraWeights.Format,
            [LoraWeights.RankKey] = Rank.ToString(CultureInfo.InvariantCulture),
            [LoraWeights.AlphaKey] = Alpha.ToString("R", CultureInfo.InvariantCulture),
            ["target_modules"] = string.Join(",", targets),
        };
        if (extra is not null) foreach (var (k, v) in extra) metadata[k] = v;
        var tensors = StateDict();
        try
        {
            SafeTensors.Write(stream, tensors, metadata);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>Adds each layer's update into its weight and removes the hooks: the network then computes alone what it computed with the adapters.</summary>
    public void Merge()
    {
        using (no_grad())
        {
            foreach (var layer in _layers)
            {
                using var delta = layer.WeightUpdate();
                layer.BaseWeight.add_(delta);
            }
        }
        Detach();
    }

    /// <summary>Removes the hooks: the network computes without the adapters again.</summary>
    public void Detach()
    {
        foreach (var remove in _removers) remove();
        _removers.Clear();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Detach();
        foreach (var layer in _layers) layer.Dispose();
    }
}
