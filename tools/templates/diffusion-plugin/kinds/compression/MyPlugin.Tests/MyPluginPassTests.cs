using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Plugins;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MyPlugin.Tests;

public class MyPluginPassTests
{
    [Fact]
    public void IsACompressionPassNamedForPipelinesWithValidatedOptions()
    {
        var attribute = typeof(MyPluginPass).GetCustomAttribute<PluginAttribute>()!;

        Assert.Equal(PluginKind.Compression, attribute.Kind);
        Assert.Equal("my-plugin", attribute.Name);
        Assert.True(attribute.Kind.ContractType().IsAssignableFrom(typeof(MyPluginPass)));
        Assert.True(IsValid(new MyPluginOptions()));
        Assert.False(IsValid(new MyPluginOptions { Fraction = 1 }));
    }

    [Fact]
    public void ZeroesTheSmallestWeightsInPlaceAndKeepsTheRestAndTheBiases()
    {
        using var context = new TestRunContext();
        using var model = new OneLayer();
        using var before = model.Layer.weight!.detach().clone();
        using var bias = model.Layer.bias!.detach().clone();

        var result = new MyPluginPass(new MyPluginOptions { Fraction = 0.25 }).Apply(model, context);

        Assert.Same(model, result);
        var after = model.Layer.weight!.detach();
        using var zero = after.eq(0);
        Assert.Equal(before.numel() / 4, zero.sum().item<long>());
        // Every weight kept is unchanged, and none of them is smaller than a removed one.
        Assert.True(after.masked_select(zero.logical_not()).eq(before.masked_select(zero.logical_not())).all().item<bool>());
        Assert.True(before.masked_select(zero).abs().max().item<float>() <= before.masked_select(zero.logical_not()).abs().min().item<float>());
        Assert.True(model.Layer.bias!.detach().eq(bias).all().item<bool>());
        Assert.Contains(context.Metrics, m => m.Key == "test/my-plugin_sparsity" && m.Value == 0.25);
    }

    /// <summary>A denoiser of one linear layer (40 weights and 5 biases).</summary>
    private sealed class OneLayer : DenoiserModule
    {
        private readonly Linear layer = nn.Linear(8, 5);

        public OneLayer() : base("one_layer") => RegisterComponents();

        public Linear Layer => layer;

        public override Tensor forward(Tensor x, Tensor t, Conditioning? conditioning) => layer.call(x);
    }

    private static bool IsValid(object options) =>
        Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true);
}
