namespace Diffusion.Denoisers.UNet2D;

/// <summary>A residual block, followed by self-attention and cross-attention to the context when its resolution asks for them.</summary>
internal sealed class UNetBlock : nn.Module<Tensor, Tensor, ContextInput?, Tensor>
{
    private readonly ResidualBlock res;
    private readonly AttentionBlock? attn;
    private readonly CrossAttentionBlock? cross;

    public UNetBlock(ResidualBlock res, AttentionBlock? attn, CrossAttentionBlock? cross) : base(nameof(UNetBlock))
    {
        this.res = res;
        this.attn = attn;
        this.cross = cross;
        RegisterComponents();
    }

    /// <summary>Runs the block on <paramref name="x"/> [B, C, H, W] with the time embedding [B, E] and the context, if the network has one.</summary>
    public override Tensor forward(Tensor x, Tensor embedding, ContextInput? context)
    {
        var h = res.call(x, embedding);
        if (attn is not null) h = attn.call(h);
        if (cross is not null) h = cross.call(h, context ?? throw new ArgumentException("this block was built with a context but got none"));
        return h;
    }
}
