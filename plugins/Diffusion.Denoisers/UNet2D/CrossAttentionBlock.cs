namespace Diffusion.Denoisers.UNet2D;

/// <summary>Attention from the H·W positions of a feature map to a condition context, with GroupNorm before and a residual connection.</summary>
internal sealed class CrossAttentionBlock : nn.Module<Tensor, ContextInput, Tensor>
{
    private readonly GroupNorm norm;
    private readonly CrossAttention attn;

    public CrossAttentionBlock(long channels, long contextDim, int heads, int groups) : base(nameof(CrossAttentionBlock))
    {
        norm = Normalization.Group(groups, channels);
        attn = new CrossAttention(channels, contextDim, heads);
        RegisterComponents();
    }

    /// <summary>Attends from <paramref name="x"/> [B, C, H, W] to <paramref name="context"/>.</summary>
    public override Tensor forward(Tensor x, ContextInput context)
    {
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var sequence = norm.call(x).reshape(b, c, h * w).transpose(1, 2);
        var attended = attn.call(sequence, context).transpose(1, 2).reshape(b, c, h, w);
        return x + attended;
    }
}
