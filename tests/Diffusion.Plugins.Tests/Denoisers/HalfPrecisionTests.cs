using Diffusion.Denoisers.DiT;
using Diffusion.Denoisers.Mlp;
using Diffusion.Denoisers.Transformer1D;
using Diffusion.Denoisers.UNet2D;

namespace Diffusion.Plugins.Tests.Denoisers;

/// <summary>
/// Every denoiser runs as a bfloat16 network (mixed-precision training and sampling, issue 24) and embeds its timesteps
/// from float32: bfloat16 holds 1000 and 1001 as the same number, so a network that cast t to its own dtype first would
/// give both the same output.
/// </summary>
public class HalfPrecisionTests
{
    public static TheoryData<string> Denoisers => ["unet2d", "dit", "transformer1d", "mlp"];

    private static (DenoiserModule Network, long[] Shape) Build(string name) => name switch
    {
        "unet2d" => (new UNet2DDenoiser(new UNet2DOptions { BaseChannels = 8, ChannelMults = [1, 2], AttentionResolutions = [4], Groups = 4 })
            .Build(new DataSpec("image", [1, 8, 8])), [1, 8, 8]),
        "dit" => (new DiTDenoiser(new DiTOptions { HiddenSize = 32, Depth = 2, NumHeads = 2 }).Build(new DataSpec("image", [1, 8, 8])), [1, 8, 8]),
        "transformer1d" => (new Transformer1DDenoiser(new Transformer1DOptions { HiddenSize = 32, Depth = 2, NumHeads = 2 })
            .Build(new DataSpec("sequence", [6, 4])), [6, 4]),
        _ => (new MlpDenoiser(new MlpOptions { HiddenSize = 32, Depth = 2 }).Build(new DataSpec("vector", [3])), [3]),
    };

    [Theory]
    [MemberData(nameof(Denoisers))]
    public void A_bfloat16_network_tells_neighbouring_timesteps_apart_and_stays_close_to_float32(string name)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var (network, shape) = Build(name);
        using var _ = network;
        Networks.Scramble(network); // adaLN-zero layers start at zero, which would hide the timestep
        network.eval();
        var x = randn([1, .. shape]).expand([2, .. shape]).contiguous();
        var t = tensor(new[] { 1000f, 1001f });
        using var noGrad = no_grad();
        var full = network.forward(x, t, null);

        network.to(ScalarType.BFloat16);
        var half = network.forward(x.to_type(ScalarType.BFloat16), t, null);

        Assert.Equal(ScalarType.BFloat16, half.dtype);
        Assert.False(half[0].eq(half[1]).all().item<bool>(), $"{name}: t = 1000 and 1001 gave the same bfloat16 output");
        double error = (half.to_type(ScalarType.Float32) - full).norm().item<float>() / full.norm().item<float>();
        Assert.True(error < 0.05, $"{name}: bfloat16 output differs from float32's by {error:G3} (relative)");
    }
}
