using System.Diagnostics.CodeAnalysis;
using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Runs;
using static TorchSharp.torch;

namespace Diffusion.Abstractions.Stages;

/// <summary>
/// What stages pass on to later stages of the same run (<see cref="IRunContext.State"/>): trained models by component
/// name, the current samples, the condition a model was trained with, and values of a stage's own. The run owns it and
/// disposes it when it ends, with every network, tensor and disposable value it still holds; a value that is replaced is
/// disposed then (unless the new value is the same instance).
/// </summary>
public sealed class StageState : IDisposable
{
    private readonly Dictionary<string, TrainedModel> _models = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _conditions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, object> _values = new(StringComparer.Ordinal);
    private GeneratedSamples? _samples;

    /// <summary>The trained models, by the name of their denoiser component.</summary>
    public IReadOnlyDictionary<string, TrainedModel> Models => _models;

    /// <summary>The model an earlier stage trained for denoiser component <paramref name="component"/>.</summary>
    /// <exception cref="PluginInputException">No earlier stage trained one (the message says to add a train stage).</exception>
    public TrainedModel Model(string component) =>
        TryGetModel(component, out var model)
            ? model
            : throw new PluginInputException($"no earlier stage trained a model for component '{component}': add a train stage with model: {component} before this stage");

    /// <summary>The model an earlier stage trained for denoiser component <paramref name="component"/>, if there is one.</summary>
    public bool TryGetModel(string component, [NotNullWhen(true)] out TrainedModel? model) => _models.TryGetValue(component, out model);

    /// <summary>
    /// Makes <paramref name="model"/> the trained model of <paramref name="component"/>; the network of the model it
    /// replaces is disposed unless it is the same instance.
    /// </summary>
    public void SetModel(string component, TrainedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (_models.TryGetValue(component, out var old) && !ReferenceEquals(old.Network, model.Network)) old.Network.Dispose();
        _models[component] = model;
    }

    /// <summary>
    /// The current samples, or null when no stage has produced any. Setting it disposes the tensors of the previous
    /// samples that the new ones do not hold (a stage that changes only the values keeps the labels:
    /// <c>state.Samples = previous with { Values = processed }</c>).
    /// </summary>
    public GeneratedSamples? Samples
    {
        get => _samples;
        set
        {
            var old = _samples;
            _samples = value;
            if (old is null) return;
            foreach (var tensor in Tensors(old))
                if (value is null || !Tensors(value).Any(kept => ReferenceEquals(kept, tensor))) tensor.Dispose();
        }
    }

    /// <summary>
    /// The description of the extra input a train stage fed model <paramref name="component"/> (the super-resolution
    /// condition, e.g. <c>low_res x2 bicubic</c>), or null when it was trained without one. Stages that sample the model
    /// check it, since sampling with another condition would be meaningless.
    /// </summary>
    public string? Condition(string component) => _conditions.GetValueOrDefault(component);

    /// <summary>Records the condition <paramref name="component"/> was trained with; null records that it had none.</summary>
    public void SetCondition(string component, string? description)
    {
        if (description is null) _conditions.Remove(component);
        else _conditions[component] = description;
    }

    /// <summary>
    /// Keeps <paramref name="value"/> under <paramref name="key"/> for later stages (prefix keys with your plugin's name).
    /// The value it replaces is disposed if it is <see cref="IDisposable"/> and not the same instance; so is whatever is
    /// left when the run ends.
    /// </summary>
    public void Set<T>(string key, T value) where T : notnull
    {
        ArgumentNullException.ThrowIfNull(value);
        if (_values.TryGetValue(key, out var old) && !ReferenceEquals(old, value) && old is IDisposable disposable) disposable.Dispose();
        _values[key] = value;
    }

    /// <summary>The value an earlier stage kept under <paramref name="key"/>, if there is one.</summary>
    /// <exception cref="InvalidOperationException">The value under <paramref name="key"/> is not a <typeparamref name="T"/>.</exception>
    public bool TryGet<T>(string key, [MaybeNullWhen(false)] out T value)
    {
        if (!_values.TryGetValue(key, out var stored))
        {
            value = default;
            return false;
        }
        value = stored is T typed
            ? typed
            : throw new InvalidOperationException($"the run state holds a {stored.GetType().FullName} under '{key}', not a {typeof(T).FullName}");
        return true;
    }

    /// <summary>Disposes every network, tensor and disposable value held, and forgets them.</summary>
    public void Dispose()
    {
        Samples = null;
        foreach (var network in _models.Values.Select(m => m.Network).Distinct()) network.Dispose();
        _models.Clear();
        _conditions.Clear();
        foreach (var disposable in _values.Values.OfType<IDisposable>().Distinct()) disposable.Dispose();
        _values.Clear();
    }

    private static IEnumerable<Tensor> Tensors(GeneratedSamples samples)
    {
        yield return samples.Values;
        if (samples.Labels is not null) yield return samples.Labels;
        if (samples.ConditionItems is not null) yield return samples.ConditionItems;
    }
}
