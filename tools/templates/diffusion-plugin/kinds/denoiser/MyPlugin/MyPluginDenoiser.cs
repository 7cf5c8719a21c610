using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Plugins;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MyPlugin;

/// <summary>Options of <see cref="MyPluginDenoiser"/>: each property is a YAML key (<c>Hidden</c> is written <c>hidden</c>).</summary>
public sealed class MyPluginOptions
{
    /// <summary>Width of the hidden layer.</summary>
    [Range(1, 65536), Description("Width of the hidden layer.")]
    public int Hidden { get; set; } = 128;
}

/// <summary>
/// A denoiser to start from: a two-layer MLP over the flattened item with a sinusoidal timestep embedding, for data of any
/// shape (images, vectors). Use it in a pipeline as <c>{ plugin: my-plugin, hidden: 64 }</c> and train it.
/// </summary>
[Plugin(PluginKind.Denoiser, "my-plugin", Options = typeof(MyPluginOptions), Description = "Two-layer MLP with a timestep embedding, for continuous data of any shape.")]
public sealed class MyPluginDenoiser(MyPluginOptions options) : IDenoiser
{
    /// <inheritdoc />
    public DenoiserModule Build(DataSpec data)
    {
        if (data.VocabSize > 0)
            throw new Diffusion.Abstractions.Runs.PluginInputException(
                $"my-plugin models continuous data, but the modality provides {data.Kind} (tokens of a vocabulary of {data.VocabSize}): pair it with an image or vector modality");
        return new MyPluginNetwork(data.ItemShape, options.Hidden);
    }
}

/// <summary>flatten → linear (+ timestep embedding) → SiLU → linear → the item's shape.</summary>
internal sealed class MyPluginNetwork : DenoiserModule
{
    private const int Frequencies = 8;
    private readonly long[] itemShape;
    private readonly Linear input;
    private readonly Linear time;
    private readonly Linear output;

    public MyPluginNetwork(long[] itemShape, int hidden) : base("my_plugin")
    {
        this.itemShape = itemShape;
        long features = itemShape.Aggregate(1L, (a, b) => a * b);
        input = nn.Linear(features, hidden);
        time = nn.Linear(2 * Frequencies, hidden);
        output = nn.Linear(hidden, features);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor t, Conditioning? conditioning)
    {
        using var scope = NewDisposeScope();
        // Timesteps are in training units (0 .. T−1): sin/cos at geometrically spaced frequencies.
        var frequencies = exp(arange(Frequencies, dtype: x.dtype, device: x.device) * -Math.Log(1000.0) / Frequencies);
        var phase = t.to_type(x.dtype).unsqueeze(1) * frequencies.unsqueeze(0);
        var h = input.call(x.flatten(1)) + time.call(cat([phase.sin(), phase.cos()], 1));
        var y = output.call(nn.functional.silu(h));
        return scope.MoveToOuter(y.reshape([x.shape[0], .. itemShape]));
    }
}
