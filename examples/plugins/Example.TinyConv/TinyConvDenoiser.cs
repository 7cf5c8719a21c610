using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Example.TinyConv;

/// <summary>A three-layer convolutional denoiser for images: small enough to train in seconds, a starting point for your own.</summary>
[Plugin(PluginKind.Denoiser, "tiny-conv", Options = typeof(TinyConvOptions), Description = "Three 3x3 convolutions with a timestep embedding; for images.")]
public sealed class TinyConvDenoiser(TinyConvOptions options) : IDenoiser
{
    /// <inheritdoc />
    public DenoiserModule Build(DataSpec data)
    {
        if (data.Kind != "image" || data.ItemShape.Length != 3)
            throw new PluginInputException($"tiny-conv models images [C, H, W], but the modality provides {data.Kind} data: pair it with an image modality");
        return new TinyConvNetwork((int)data.ItemShape[0], options.Hidden);
    }
}

/// <summary>conv → +time embedding → SiLU → conv → SiLU → conv; the output has the input's shape.</summary>
internal sealed class TinyConvNetwork : DenoiserModule
{
    private readonly Conv2d conv_in;
    private readonly Conv2d conv_mid;
    private readonly Conv2d conv_out;
    private readonly Linear time_embedding;

    public TinyConvNetwork(int channels, int hidden) : base("tiny_conv")
    {
        conv_in = nn.Conv2d(channels, hidden, 3, padding: 1);
        conv_mid = nn.Conv2d(hidden, hidden, 3, padding: 1);
        conv_out = nn.Conv2d(hidden, channels, 3, padding: 1);
        time_embedding = nn.Linear(2, hidden);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor t, Conditioning? conditioning)
    {
        using var scope = NewDisposeScope();
        var phase = (t.to_type(x.dtype) / 1000.0 * Math.PI).unsqueeze(1);
        var embedding = time_embedding.forward(cat([phase.sin(), phase.cos()], 1)).unsqueeze(-1).unsqueeze(-1);
        var h = nn.functional.silu(conv_in.forward(x) + embedding);
        h = nn.functional.silu(conv_mid.forward(h));
        return scope.MoveToOuter(conv_out.forward(h));
    }
}
