using TorchSharp;
using static TorchSharp.torch;

namespace Diffusion.Schedulers.Sampling;

/// <summary>
/// What survives a sampling step. Each step runs in its own dispose scope; the few tensors the next step needs are moved
/// out of it and the values they replace are disposed at once, so memory does not grow with the number of steps.
/// </summary>
internal static class Carry
{
    /// <summary>Moves <paramref name="value"/> out of <paramref name="step"/> and disposes <paramref name="replaced"/>.</summary>
    public static Tensor Over(DisposeScope step, Tensor value, Tensor? replaced)
    {
        var kept = step.MoveToOuter(value);
        replaced?.Dispose();
        return kept;
    }
}

/// <summary>The last few model results of a multistep sampler with the noise level of each, newest first.</summary>
internal sealed class History(int capacity)
{
    private readonly List<(Tensor Value, double Sigma)> _items = [];

    /// <summary>How many entries are held.</summary>
    public int Count => _items.Count;

    /// <summary>The entry <paramref name="back"/> steps ago (0 = newest).</summary>
    public (Tensor Value, double Sigma) this[int back] => _items[back];

    /// <summary>Adds the newest entry, moved out of <paramref name="step"/>; the oldest beyond the capacity is disposed.</summary>
    public void Push(DisposeScope step, Tensor value, double sigma)
    {
        _items.Insert(0, (step.MoveToOuter(value), sigma));
        if (_items.Count > capacity)
        {
            _items[^1].Value.Dispose();
            _items.RemoveAt(_items.Count - 1);
        }
    }
}
