using System.Runtime.CompilerServices;
using Diffusion.Abstractions.Checkpoints;
using Diffusion.Abstractions.Denoisers;

namespace Diffusion.Modalities.Image.Latent;

/// <summary>
/// Latent diffusion (Rombach et al. 2022): the images of an <c>image</c> modality, encoded once by a trained KL
/// autoencoder (posterior means times its scaling factor) and cached per split. Any denoiser trains on the latents
/// (C×H/f×W/f, class labels kept); the sample stage decodes what it draws (<see cref="ILatentModality"/>), so sample grids,
/// metrics and post-processors work on images. The autoencoder comes from a <c>train-autoencoder</c> stage earlier in the
/// run or from <c>autoencoder_weights</c>.
/// </summary>
[Plugin(PluginKind.Modality, "latent", Options = typeof(LatentModalityOptions),
    Description = "Latent diffusion: images encoded by a trained KL autoencoder (train-autoencoder stage); samples are decoded back to images.")]
public class LatentModality : ILatentModality, IDisposable
{
    private readonly LatentModalityOptions _options;
    private readonly Dictionary<DataSplit, Tensor> _latents = [];
    private readonly ConditionalWeakTable<ModalityData, object> _splits = [];
    private readonly Lazy<IModality> _images;
    private TrainedAutoencoder? _autoencoder;

    /// <summary>Creates the modality; the images are those of an image modality with the same options.</summary>
    public LatentModality(LatentModalityOptions options) : this(options, () => new ImageModality(options))
    {
    }

    /// <summary>Creates the modality over the images of another modality, made on first use.</summary>
    protected LatentModality(LatentModalityOptions options, Func<IModality> images)
    {
        _options = options;
        _images = new(images);
    }

    /// <summary>The image modality whose items are encoded.</summary>
    internal IModality Images => _images.Value;

    internal LatentModalityOptions Options => _options;

    /// <inheritdoc />
    public DataSpec Spec
    {
        get
        {
            var images = Images.Spec;
            long f = _options.Downsample;
            return images with { ItemShape = [_options.LatentChannels, images.ItemShape[1] / f, images.ItemShape[2] / f] };
        }
    }

    /// <summary>Pixels per latent value: (C·H·W of an image) / (C·H·W of its latent).</summary>
    internal double CompressionFactor => (double)Images.Spec.ItemShape.Aggregate(1L, (a, b) => a * b) / Spec.ItemShape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Uses <paramref name="autoencoder"/> from now on (a train-autoencoder stage's result); cached latents are dropped.</summary>
    internal void Use(TrainedAutoencoder autoencoder)
    {
        if (!ReferenceEquals(_autoencoder, autoencoder)) _autoencoder?.Dispose();
        _autoencoder = autoencoder;
        foreach (var cached in _latents.Values) cached.Dispose();
        _latents.Clear();
    }

    /// <summary>The autoencoder in use, loaded from <c>autoencoder_weights</c> on first use when no stage trained one.</summary>
    internal TrainedAutoencoder Autoencoder
    {
        get
        {
            if (_autoencoder is not null) return _autoencoder;
            if (_options.AutoencoderWeights is not { } path)
                throw new PluginInputException("the latent modality has no autoencoder: add a train-autoencoder stage (data: this component) before the stages that use it, or set autoencoder_weights to a trained autoencoder.safetensors");
            _autoencoder = AutoencoderCheckpoint.Load(Path.GetFullPath(path), this);
            return _autoencoder;
        }
    }

    /// <summary>A new autoencoder network of this modality's shape.</summary>
    internal KlAutoencoder CreateNetwork() =>
        new(Images.Spec.ItemShape[0], _options.LatentChannels, _options.Downsample, _options.BaseChannels);

    /// <inheritdoc />
    public ModalityData Load(DataSplit split)
    {
        using var images = Images.Load(split);
        if (!_latents.TryGetValue(split, out var latents))
        {
            latents = Autoencoder.Encode(images.Items).DetachFromDisposeScope();
            _latents[split] = latents;
        }
        var data = new ModalityData(latents.clone(), images.Labels?.clone(), images.ClassNames)
        {
            ConditionTokens = images.ConditionTokens?.clone(),
            ConditionTexts = images.ConditionTexts,
        };
        _splits.AddOrUpdate(data, split);
        return data;
    }

    /// <inheritdoc />
    public Tensor Decode(Tensor latents, IRunContext context) => Autoencoder.Decode(latents);

    /// <inheritdoc />
    public void WriteSamples(Tensor samples, string name, IRunContext context) => Images.WriteSamples(samples, name, context);

    /// <inheritdoc />
    /// <remarks><paramref name="samples"/> are decoded images; they are scored against the images of <paramref name="reference"/>'s split.</remarks>
    public IReadOnlyDictionary<string, double> Evaluate(Tensor samples, ModalityData reference, IRunContext context)
    {
        var split = _splits.TryGetValue(reference, out var known) ? (DataSplit)known : DataSplit.Test;
        using var images = Images.Load(split);
        return Images.Evaluate(samples, images, context);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        GC.SuppressFinalize(this);
        foreach (var cached in _latents.Values) cached.Dispose();
        _latents.Clear();
        _autoencoder?.Dispose();
        _autoencoder = null;
    }
}
