namespace Diffusion.Stages.Training;

/// <summary>
/// An exponential moving average of a network's weights (what diffusion models sample with): after each step,
/// avg = d·avg + (1 − d)·weights with d = min(decay, (1 + k)/(10 + k)) at update k, so early updates move it fast.
/// Buffers (e.g. normalisation statistics) are copied as they are. When the optimizer has packed the weights into one
/// buffer (<see cref="AdamW.Packed"/>), the averages of those weights are packed alike and averaged in one operation.
/// </summary>
internal sealed class WeightAverage : IDisposable
{
    private readonly double _decay;
    private readonly (Tensor Average, Tensor Source)[] _parameters;
    private readonly (Tensor Average, Tensor Source)[] _buffers;
    private ContiguousTensors? _packedSource;
    private ContiguousTensors? _packed;
    private (Tensor Average, Tensor Source)[] _unpacked;

    /// <summary>Starts the average at <paramref name="source"/>'s weights, held in <paramref name="copy"/> (same architecture).</summary>
    public WeightAverage(DenoiserModule source, DenoiserModule copy, double decay)
    {
        _decay = decay;
        Network = copy;
        _parameters = copy.parameters().Zip(source.parameters(), (a, s) => ((Tensor)a, (Tensor)s)).ToArray();
        _buffers = copy.buffers().Zip(source.buffers(), (a, s) => (a, s)).ToArray();
        _unpacked = _parameters;
        using var noGrad = no_grad();
        foreach (var (average, s) in _parameters.Concat(_buffers))
        {
            average.requires_grad_(false);
            average.copy_(s);
        }
        copy.eval();
    }

    /// <summary>The averaged network (in eval mode).</summary>
    public DenoiserModule Network { get; }

    /// <summary>True once the averages of the optimizer's packed weights are packed alike (one operation per update).</summary>
    public bool IsPacked => _packed is not null;

    /// <summary>
    /// Folds the source's current weights in; <paramref name="step"/> is the 0-based update number. <paramref name="packed"/>
    /// is the source's packed weights when the optimizer packed them (the first time it is given, the matching averages are
    /// packed in the same layout).
    /// </summary>
    public void Update(long step, ContiguousTensors? packed = null)
    {
        double d = Math.Min(_decay, (1.0 + step) / (10.0 + step));
        using var noGrad = no_grad();
        if (packed is not null && _packedSource is null) Pack(packed);
        if (_packed is not null) _packed.Values.mul_(d).add_(_packedSource!.Values, alpha: 1 - d);
        foreach (var (average, source) in _unpacked) average.mul_(d).add_(source, alpha: 1 - d);
        foreach (var (average, source) in _buffers) average.copy_(source);
    }

    /// <summary>Packs the averages of <paramref name="source"/>'s members in its layout; the rest stay per tensor.</summary>
    private void Pack(ContiguousTensors source)
    {
        _packedSource = source;
        var bySource = _parameters.ToDictionary(p => p.Source.Handle, p => p.Average);
        var averages = new Tensor[source.Count];
        for (int i = 0; i < source.Count; i++)
            if (!bySource.TryGetValue(source.Members[i].Handle, out averages[i]!)) return; // not this network's weights: stay per tensor
        _packed = source.Mirror(averages);
        var packedSources = source.Members.Select(m => m.Handle).ToHashSet();
        _unpacked = _parameters.Where(p => !packedSources.Contains(p.Source.Handle)).ToArray();
    }

    public void Dispose() => _packed?.Dispose();
}
