namespace Diffusion.Denoisers.Layers;

/// <summary>Multi-head attention from a sequence [B, N, D] to a condition context [B, L, context_dim], masked where the context is padding.</summary>
internal sealed class CrossAttention : nn.Module<Tensor, ContextInput, Tensor>
{
    private readonly int heads;
    private readonly Linear to_q;
    private readonly Linear to_kv;
    private readonly Linear proj;

    public CrossAttention(long dim, long contextDim, int heads) : base(nameof(CrossAttention))
    {
        this.heads = heads;
        to_q = nn.Linear(dim, dim);
        to_kv = nn.Linear(contextDim, 2 * dim);
        proj = nn.Linear(dim, dim);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x, ContextInput context)
    {
        long b = x.shape[0], n = x.shape[1], d = x.shape[2], l = context.Tokens.shape[1];
        var q = to_q.call(x).reshape(b, n, heads, d / heads).transpose(1, 2);
        var kv = to_kv.call(context.Tokens).reshape(b, l, 2, heads, d / heads).permute(2, 0, 3, 1, 4);
        var (k, v) = (kv[0], kv[1]);
        MacCount.Attention(q, k, v);
        var attended = nn.functional.scaled_dot_product_attention(q, k, v, context.Mask);
        return proj.call(attended.transpose(1, 2).reshape(b, n, d));
    }
}
