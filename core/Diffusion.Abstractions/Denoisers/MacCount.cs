using static TorchSharp.torch;

namespace Diffusion.Abstractions.Denoisers;

/// <summary>
/// Counts the multiply-accumulates (MACs) of one forward pass, which the host records as a run param. The host
/// counts <c>Linear</c> and convolution layers itself, with forward hooks (so call them with <c>layer.call(x)</c>,
/// which runs hooks, rather than <c>layer.forward(x)</c>, which does not). Work done in functional calls, such as
/// the two matrix products of attention, is invisible to hooks: a network reports it with <see cref="Add"/> or
/// <see cref="Attention"/>. Outside a count (<see cref="Start"/>) both return at once, so they cost nothing in training.
/// </summary>
public static class MacCount
{
    [ThreadStatic] private static Session? current;

    /// <summary>True while a count is running on this thread.</summary>
    public static bool IsCounting => current is not null;

    /// <summary>Adds <paramref name="macs"/> to the running count on this thread, if any.</summary>
    public static void Add(long macs)
    {
        if (current is { } session) session.Total += macs;
    }

    /// <summary>
    /// Adds the MACs of scaled dot-product attention: query·keyᵀ and weights·value, for queries [..., Lq, d],
    /// keys [..., Lk, d] and values [..., Lk, dv] (leading dimensions are batch and heads).
    /// </summary>
    public static void Attention(Tensor query, Tensor key, Tensor value)
    {
        if (current is null) return;
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        long keys = key.shape[^2];
        long rows = query.numel() / query.shape[^1]; // every (batch, head, query) row
        Add(query.numel() * keys + rows * keys * value.shape[^1]);
    }

    /// <summary>Starts counting on this thread; the count ends when the session is disposed. Counts do not nest.</summary>
    /// <exception cref="InvalidOperationException">A count is already running on this thread.</exception>
    public static Session Start()
    {
        if (current is not null) throw new InvalidOperationException("a MAC count is already running on this thread");
        current = new Session();
        return current;
    }

    /// <summary>A running count.</summary>
    public sealed class Session : IDisposable
    {
        internal Session() { }

        /// <summary>MACs added so far.</summary>
        public long Total { get; internal set; }

        /// <inheritdoc />
        public void Dispose()
        {
            if (ReferenceEquals(current, this)) current = null;
        }
    }
}
