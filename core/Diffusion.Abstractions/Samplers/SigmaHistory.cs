using TorchSharp;
using static TorchSharp.torch;

namespace Diffusion.Abstractions.Samplers;

/// <summary>
/// The last few results a multistep <see cref="SigmaSampler{TOptions}"/> remembered (model estimates, derivatives), each
/// with the noise level it was taken at, newest first. Its length is the sampler's
/// <see cref="SigmaSampler{TOptions}.HistoryLength"/>.
/// </summary>
public sealed class SigmaHistory
{
    private readonly List<(Tensor Value, double Sigma)> _items = [];
    private readonly int _capacity;

    internal SigmaHistory(int capacity) => _capacity = capacity;

    /// <summary>How many entries are held.</summary>
    public int Count => _items.Count;

    /// <summary>The entry <paramref name="back"/> steps ago (0 = newest): the value and the σ it was taken at.</summary>
    public (Tensor Value, double Sigma) this[int back] => _items[back];

    /// <summary>Adds the newest entry, moved out of <paramref name="step"/>; the oldest beyond the capacity is disposed.</summary>
    internal void Push(DisposeScope step, Tensor value, double sigma)
    {
        _items.Insert(0, (step.MoveToOuter(value), sigma));
        if (_items.Count > _capacity)
        {
            _items[^1].Value.Dispose();
            _items.RemoveAt(_items.Count - 1);
        }
    }
}
