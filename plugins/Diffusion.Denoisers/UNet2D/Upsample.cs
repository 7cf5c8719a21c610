namespace Diffusion.Denoisers.UNet2D;

/// <summary>Nearest-neighbour upsampling to an exact size (that of the matching skip connection), then a 3x3 conv.</summary>
internal sealed class Upsample : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Conv2d conv;

    public Upsample(long channels) : base(nameof(Upsample))
    {
        conv = nn.Conv2d(channels, channels, 3, padding: 1);
        RegisterComponents();
    }

    /// <summary>Upsamples <paramref name="x"/> to the height and width of <paramref name="like"/>.</summary>
    public override Tensor forward(Tensor x, Tensor like)
    {
        var up = nn.functional.interpolate(x, size: [like.shape[2], like.shape[3]], mode: InterpolationMode.Nearest);
        return conv.call(up);
    }
}
