using TorchSharp.Modules;

namespace Diffusion.Modalities.Image.Latent;

/// <summary>
/// A KL-regularised autoencoder in the style of Stable Diffusion's (Rombach et al. 2022, <c>AutoencoderKL</c>): a conv
/// encoder of ResNet blocks with stride-2 downsampling to a Gaussian posterior N(mean, exp(logvar)) over a latent of
/// C×H/f×W/f, and a mirrored decoder with nearest-neighbour upsampling. f = 2^(levels − 1). No attention (small images).
/// </summary>
internal sealed class KlAutoencoder : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d encoderIn;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> encoderBlocks;
    private readonly GroupNorm encoderNorm;
    private readonly Conv2d encoderOut;
    private readonly Conv2d decoderIn;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> decoderBlocks;
    private readonly GroupNorm decoderNorm;
    private readonly Conv2d decoderOut;
    private readonly bool[] _upsampleAfter;

    /// <param name="channels">Image channels.</param>
    /// <param name="latentChannels">Latent channels C.</param>
    /// <param name="downsample">f: 4 or 8.</param>
    /// <param name="baseChannels">Width of the first level; deeper levels use twice that.</param>
    public KlAutoencoder(long channels, long latentChannels, int downsample, long baseChannels) : base(nameof(KlAutoencoder))
    {
        int levels = (int)Math.Round(Math.Log2(downsample)) + 1;
        long groups = Math.Min(32, baseChannels / 4);
        long Width(int level) => level == 0 ? baseChannels : 2 * baseChannels;

        encoderIn = nn.Conv2d(channels, baseChannels, 3, padding: 1);
        var encoder = new List<nn.Module<Tensor, Tensor>>();
        long width = baseChannels;
        for (int level = 0; level < levels; level++)
        {
            encoder.Add(new AutoencoderResBlock(width, Width(level), groups));
            width = Width(level);
            if (level < levels - 1) encoder.Add(nn.Conv2d(width, width, 3, stride: 2, padding: 1));
        }
        encoder.Add(new AutoencoderResBlock(width, width, groups)); // middle
        encoderBlocks = nn.ModuleList(encoder.ToArray());
        encoderNorm = GroupNorms.Create(groups, width);
        encoderOut = nn.Conv2d(width, 2 * latentChannels, 3, padding: 1);

        decoderIn = nn.Conv2d(latentChannels, width, 3, padding: 1);
        var decoder = new List<nn.Module<Tensor, Tensor>> { new AutoencoderResBlock(width, width, groups) }; // middle
        var upsample = new List<bool> { false };
        for (int level = levels - 1; level >= 0; level--)
        {
            decoder.Add(new AutoencoderResBlock(width, Width(level), groups));
            upsample.Add(level > 0);
            width = Width(level);
            if (level > 0)
            {
                decoder.Add(nn.Conv2d(width, width, 3, padding: 1)); // after the nearest-neighbour upsampling
                upsample.Add(false);
            }
        }
        decoderBlocks = nn.ModuleList(decoder.ToArray());
        _upsampleAfter = [.. upsample];
        decoderNorm = GroupNorms.Create(groups, width);
        decoderOut = nn.Conv2d(width, channels, 3, padding: 1);
        RegisterComponents();
    }

    /// <summary>The posterior's mean and log-variance [B, C, H/f, W/f] for images [B, channels, H, W] in [−1, 1].</summary>
    public (Tensor Mean, Tensor LogVar) Encode(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = encoderIn.call(x);
        foreach (var block in encoderBlocks) h = block.call(h);
        var moments = encoderOut.call(nn.functional.silu(encoderNorm.call(h))).chunk(2, dim: 1);
        return (scope.MoveToOuter(moments[0]), scope.MoveToOuter(moments[1].clamp(-30, 20)));
    }

    /// <summary>Images [B, channels, H, W] from latents [B, C, H/f, W/f] (unscaled).</summary>
    public Tensor Decode(Tensor z)
    {
        using var scope = NewDisposeScope();
        var h = decoderIn.call(z);
        for (int i = 0; i < decoderBlocks.Count; i++)
        {
            h = decoderBlocks[i].call(h);
            if (_upsampleAfter[i]) h = nn.functional.interpolate(h, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest);
        }
        return scope.MoveToOuter(decoderOut.call(nn.functional.silu(decoderNorm.call(h))));
    }

    /// <summary>The reconstruction of <paramref name="x"/> through the posterior mean.</summary>
    public override Tensor forward(Tensor x)
    {
        var (mean, logVar) = Encode(x);
        using (logVar) return Decode(mean);
    }
}
