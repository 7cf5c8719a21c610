namespace Diffusion.Denoisers.UNet2D;

/// <summary>GroupNorm, SiLU, conv3x3, + projected time embedding, GroupNorm, SiLU, dropout, conv3x3, plus a (1x1 when needed) skip.</summary>
internal sealed class ResidualBlock : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly GroupNorm norm1;
    private readonly Conv2d conv1;
    private readonly Linear time_proj;
    private readonly GroupNorm norm2;
    private readonly Dropout dropout;
    private readonly Conv2d conv2;
    private readonly Conv2d? skip;

    public ResidualBlock(long inChannels, long outChannels, long embedDim, int groups, double dropoutRate)
        : base(nameof(ResidualBlock))
    {
        norm1 = Normalization.Group(groups, inChannels);
        conv1 = nn.Conv2d(inChannels, outChannels, 3, padding: 1);
        time_proj = nn.Linear(embedDim, outChannels);
        norm2 = Normalization.Group(groups, outChannels);
        dropout = nn.Dropout(dropoutRate);
        conv2 = nn.Conv2d(outChannels, outChannels, 3, padding: 1);
        skip = inChannels == outChannels ? null : nn.Conv2d(inChannels, outChannels, 1);
        RegisterComponents();
    }

    /// <summary>Runs the block on <paramref name="x"/> [B, C, H, W] with the time embedding <paramref name="embedding"/> [B, E].</summary>
    public override Tensor forward(Tensor x, Tensor embedding)
    {
        var h = conv1.call(nn.functional.silu(norm1.call(x)));
        h = h + time_proj.call(nn.functional.silu(embedding)).unsqueeze(-1).unsqueeze(-1);
        h = conv2.call(dropout.call(nn.functional.silu(norm2.call(h))));
        return (skip is null ? x : skip.call(x)) + h;
    }
}
