namespace Diffusion.Denoisers.Layers;

/// <summary>
/// Cross-attention context ready for attention: tokens [B, L, D] and an attention mask [B, 1, 1, L] (true = attend),
/// or no mask when every position is valid.
/// </summary>
internal sealed record ContextInput(Tensor Tokens, Tensor? Mask)
{
    /// <summary>
    /// The context of <paramref name="conditioning"/> checked against the batch and width. No context means "no
    /// condition" (for guidance) and becomes a single zero token, which gives exactly what attention over a zeroed
    /// context gives (every key alike), so a model trained with context dropped to zeros samples unconditionally without one.
    /// A row whose mask has no valid position attends to all of its positions.
    /// </summary>
    public static ContextInput From(Conditioning? conditioning, long batch, long contextDim, Device device, ScalarType dtype)
    {
        var context = conditioning?.Context;
        if (context is null)
        {
            if (conditioning?.ContextMask is not null)
                throw new ArgumentException("the conditioning has a context mask but no context");
            return new ContextInput(zeros([batch, 1, contextDim], dtype: dtype, device: device), null);
        }
        if (context.dim() != 3 || context.shape[0] != batch || context.shape[2] != contextDim)
            throw new ArgumentException(
                $"context must have shape [{batch}, L, {contextDim}] (batch, positions, context_dim), got [{string.Join(", ", context.shape)}]");
        var mask = conditioning!.ContextMask;
        if (mask is null) return new ContextInput(context.to(dtype, device), null);
        if (mask.dim() != 2 || mask.shape[0] != batch || mask.shape[1] != context.shape[1])
            throw new ArgumentException($"context mask must have shape [{batch}, {context.shape[1]}], got [{string.Join(", ", mask.shape)}]");
        var valid = mask.to(ScalarType.Bool, device);
        valid = valid.logical_or(valid.any(1, keepdim: true).logical_not());
        return new ContextInput(context.to(dtype, device), valid.unsqueeze(1).unsqueeze(1));
    }

    /// <summary>The mean of the valid context positions [B, D] (zeros for no context).</summary>
    public Tensor Pooled()
    {
        if (Mask is null) return Tokens.mean([1]);
        var weights = Mask.squeeze(1).squeeze(1).to(Tokens.dtype).unsqueeze(-1); // [B, L, 1]
        return (Tokens * weights).sum(1) / weights.sum(1);
    }
}
