using static TorchSharp.torch;

namespace Diffusion.Denoisers.UNet2D;

/// <summary>A residual block, followed by self-attention when its resolution asks for it.</summary>
internal sealed class UNetBlock : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly ResidualBlock res;
    private readonly AttentionBlock? attn;

    public UNetBlock(ResidualBlock res, AttentionBlock? attn) : base(nameof(UNetBlock))
    {
        this.res = res;
        this.attn = attn;
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x, Tensor embedding)
    {
        var h = res.forward(x, embedding);
        return attn is null ? h : attn.forward(h);
    }
}
