namespace Diffusion.Stages.Training;

/// <summary>
/// The training loss as the tracker records it: the losses of the accepted steps are summed on the device (float64), and
/// every <c>log_every</c> steps (and at the last step) their mean is read once and logged as <c>train/loss</c> at that
/// step. With log_every 1 each step's own loss is logged, as before the option existed; a larger value saves a GPU the
/// host read of the loss on the other steps. Steps skipped as non-finite are left out of the mean; a window with no
/// accepted step logs nothing.
/// </summary>
internal sealed class LossAccumulator : IDisposable
{
    private readonly int _every;
    private readonly Tensor _sum;
    private int _count;

    /// <summary>An empty accumulator on <paramref name="device"/> that logs every <paramref name="every"/> steps.</summary>
    public LossAccumulator(int every, Device device)
    {
        if (every < 1) throw new ArgumentOutOfRangeException(nameof(every), every, "must be at least 1");
        _every = every;
        _sum = zeros([], ScalarType.Float64, device).DetachFromDisposeScope(); // lives across the steps' scopes
    }

    /// <summary>Values read from the device so far (one per logged mean).</summary>
    public long HostReads { get; private set; }

    /// <summary>Adds an accepted step's mean loss (a one-element tensor on the device); nothing is read.</summary>
    public void Add(Tensor loss)
    {
        using (no_grad()) _sum.add_(loss.detach().reshape([]));
        _count++;
    }

    /// <summary>
    /// At step <paramref name="step"/> (1-based): when it ends a window of log_every steps or is <paramref name="last"/>,
    /// the mean of the window's accepted losses (read here, then the window restarts); otherwise, or when the window had
    /// none, null.
    /// </summary>
    public double? MeanAt(long step, bool last)
    {
        if (step % _every != 0 && !last) return null;
        if (_count == 0) return null;
        HostReads++;
        double mean = _sum.item<double>() / _count;
        _sum.zero_();
        _count = 0;
        return mean;
    }

    /// <inheritdoc />
    public void Dispose() => _sum.Dispose();
}
