using TorchSharp.Modules;

namespace Diffusion.Modalities.Image.Latent;

/// <summary>The residual block of Stable Diffusion's autoencoder: GroupNorm, SiLU, 3x3 conv, twice, plus a 1x1 skip when the width changes.</summary>
internal sealed class AutoencoderResBlock : nn.Module<Tensor, Tensor>
{
    private readonly GroupNorm norm1;
    private readonly Conv2d conv1;
    private readonly GroupNorm norm2;
    private readonly Conv2d conv2;
    private readonly Conv2d? skip;

    public AutoencoderResBlock(long inChannels, long outChannels, long groups) : base(nameof(AutoencoderResBlock))
    {
        norm1 = GroupNorms.Create(groups, inChannels);
        conv1 = nn.Conv2d(inChannels, outChannels, 3, padding: 1);
        norm2 = GroupNorms.Create(groups, outChannels);
        conv2 = nn.Conv2d(outChannels, outChannels, 3, padding: 1);
        skip = inChannels == outChannels ? null : nn.Conv2d(inChannels, outChannels, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = conv1.call(nn.functional.silu(norm1.call(x)));
        h = conv2.call(nn.functional.silu(norm2.call(h)));
        return scope.MoveToOuter((skip?.call(x) ?? x) + h);
    }
}
