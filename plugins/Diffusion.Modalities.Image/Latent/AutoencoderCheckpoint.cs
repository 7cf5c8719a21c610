using System.Globalization;
using Diffusion.Abstractions.Checkpoints;

namespace Diffusion.Modalities.Image.Latent;

/// <summary>
/// The autoencoder's file: its weights in safetensors (names as TorchSharp's state_dict gives them) with the shape and the
/// scaling factor in the header metadata, so Python's safetensors reads it too.
/// </summary>
internal static class AutoencoderCheckpoint
{
    public const string FileName = "autoencoder.safetensors";

    public static void Save(string path, TrainedAutoencoder autoencoder, LatentModalityOptions options)
    {
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "diffusion-framework/kl-autoencoder",
            ["scaling_factor"] = autoencoder.ScalingFactor.ToString("R", CultureInfo.InvariantCulture),
            ["latent_channels"] = options.LatentChannels.ToString(CultureInfo.InvariantCulture),
            ["downsample"] = options.Downsample.ToString(CultureInfo.InvariantCulture),
            ["base_channels"] = options.BaseChannels.ToString(CultureInfo.InvariantCulture),
        };
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var scope = NewDisposeScope();
        var tensors = autoencoder.Network.state_dict().Select(p => new KeyValuePair<string, Tensor>(p.Key, p.Value.detach().cpu().contiguous()));
        SafeTensors.Write(path, tensors, metadata);
    }

    /// <summary>Loads the weights of <paramref name="path"/> (an autoencoder of <paramref name="modality"/>'s shape) into <paramref name="network"/>.</summary>
    public static void LoadWeights(string path, KlAutoencoder network, LatentModality modality)
    {
        if (!File.Exists(path))
            throw new PluginInputException($"{path} does not exist: the checkpoint to resume from is incomplete; resume an earlier run or start a new one");
        var (tensors, metadata) = SafeTensors.Read(path);
        try
        {
            CheckShape(path, metadata, modality.Options);
            Copy(tensors, network, path);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>Writes the trainer state of a checkpoint: the steps done and the run's seed.</summary>
    public static void WriteTrainerState(string path, long step, long seed) =>
        SafeTensors.Write(path, [new("step", tensor(new[] { step }))], new Dictionary<string, string>
        {
            ["format"] = "diffusion-framework/autoencoder-trainer",
            ["step"] = step.ToString(CultureInfo.InvariantCulture),
            ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
        });

    /// <summary>The steps done and the seed recorded by <see cref="WriteTrainerState"/>.</summary>
    public static (long Step, long Seed) ReadTrainerState(string path)
    {
        var (tensors, metadata) = SafeTensors.Read(path);
        foreach (var t in tensors.Values) t.Dispose();
        if (!metadata.TryGetValue("step", out var step) || !metadata.TryGetValue("seed", out var seed))
            throw new PluginInputException($"{path} is not an autoencoder trainer state (no step or seed): resume a run whose autoencoder checkpoints this version wrote");
        return (long.Parse(step, CultureInfo.InvariantCulture), long.Parse(seed, CultureInfo.InvariantCulture));
    }

    private static void CheckShape(string path, Dictionary<string, string> metadata, LatentModalityOptions options)
    {
        foreach (var (key, expected) in new[] { ("latent_channels", options.LatentChannels), ("downsample", options.Downsample), ("base_channels", options.BaseChannels) })
            if (!metadata.TryGetValue(key, out var value) || value != expected.ToString(CultureInfo.InvariantCulture))
                throw new PluginInputException($"autoencoder_weights: {path} was trained with {key} {(value ?? "(missing)")}, but the latent modality sets {expected}: make them match");
    }

    private static void Copy(Dictionary<string, Tensor> tensors, KlAutoencoder network, string path)
    {
        using (no_grad())
        {
            foreach (var (name, target) in network.state_dict())
            {
                if (!tensors.TryGetValue(name, out var source) || !source.shape.SequenceEqual(target.shape))
                    throw new PluginInputException($"autoencoder_weights: {path} has no tensor '{name}' of shape [{string.Join(", ", target.shape)}]; it is not an autoencoder of these options");
                target.copy_(source);
            }
        }
    }

    public static TrainedAutoencoder Load(string path, LatentModality modality)
    {
        if (!File.Exists(path))
            throw new PluginInputException($"autoencoder_weights: {path} does not exist; give the autoencoder.safetensors a train-autoencoder stage wrote");
        var (tensors, metadata) = SafeTensors.Read(path);
        try
        {
            CheckShape(path, metadata, modality.Options);
            var network = modality.CreateNetwork();
            Copy(tensors, network, path);
            network.eval();
            return new TrainedAutoencoder(network, double.Parse(metadata["scaling_factor"], CultureInfo.InvariantCulture));
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
