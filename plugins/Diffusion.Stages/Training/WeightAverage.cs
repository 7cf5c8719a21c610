namespace Diffusion.Stages.Training;

/// <summary>
/// An exponential moving average of a network's weights (what diffusion models sample with): after each step,
/// avg = d·avg + (1 − d)·weights with d = min(decay, (1 + k)/(10 + k)) at update k, so early updates move it fast.
/// Buffers (e.g. normalisation statistics) are copied as they are.
/// </summary>
internal sealed class WeightAverage
{
    private readonly double _decay;
    private readonly (Tensor Average, Tensor Source)[] _parameters;
    private readonly (Tensor Average, Tensor Source)[] _buffers;

    /// <summary>Starts the average at <paramref name="source"/>'s weights, held in <paramref name="copy"/> (same architecture).</summary>
    public WeightAverage(DenoiserModule source, DenoiserModule copy, double decay)
    {
        _decay = decay;
        Network = copy;
        _parameters = copy.parameters().Zip(source.parameters(), (a, s) => ((Tensor)a, (Tensor)s)).ToArray();
        _buffers = copy.buffers().Zip(source.buffers(), (a, s) => (a, s)).ToArray();
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

    /// <summary>Folds the source's current weights in; <paramref name="step"/> is the 0-based update number.</summary>
    public void Update(long step)
    {
        double d = Math.Min(_decay, (1.0 + step) / (10.0 + step));
        using var noGrad = no_grad();
        foreach (var (average, source) in _parameters) average.mul_(d).add_(source, alpha: 1 - d);
        foreach (var (average, source) in _buffers) average.copy_(source);
    }
}
