namespace Diffusion.Denoisers.UNet2D;

/// <summary>Multi-head self-attention over the H·W positions of a feature map, with GroupNorm before and a residual connection.</summary>
internal sealed class AttentionBlock : nn.Module<Tensor, Tensor>
{
    private readonly int heads;
    private readonly GroupNorm norm;
    private readonly Conv2d qkv;
    private readonly Conv2d proj;

    public AttentionBlock(long channels, int heads, int groups) : base(nameof(AttentionBlock))
    {
        this.heads = heads;
        norm = Normalization.Group(groups, channels);
        qkv = nn.Conv2d(channels, 3 * channels, 1);
        proj = nn.Conv2d(channels, channels, 1);
        RegisterComponents();
    }

    /// <summary>Attends over the positions of <paramref name="x"/> [B, C, H, W].</summary>
    public override Tensor forward(Tensor x)
    {
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        long headDim = c / heads;
        // [B, 3C, H, W] -> [3, B, heads, H·W, headDim]
        var parts = qkv.call(norm.call(x))
            .reshape(b, 3, heads, headDim, h * w)
            .permute(1, 0, 2, 4, 3);
        MacCount.Attention(parts[0], parts[1], parts[2]);
        var attended = Attention.Unmasked(parts[0], parts[1], parts[2]);
        // [B, heads, H·W, headDim] -> [B, C, H, W]
        var merged = attended.permute(0, 1, 3, 2).reshape(b, c, h, w);
        return x + proj.call(merged);
    }
}
