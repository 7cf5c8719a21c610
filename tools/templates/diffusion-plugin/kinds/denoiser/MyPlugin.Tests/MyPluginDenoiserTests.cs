using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace MyPlugin.Tests;

public class MyPluginDenoiserTests
{
    [Fact]
    public void IsADenoiserNamedForPipelinesWithValidatedOptions()
    {
        var attribute = typeof(MyPluginDenoiser).GetCustomAttribute<PluginAttribute>()!;

        Assert.Equal(PluginKind.Denoiser, attribute.Kind);
        Assert.Equal("my-plugin", attribute.Name);
        Assert.True(attribute.Kind.ContractType().IsAssignableFrom(typeof(MyPluginDenoiser)));
        Assert.True(IsValid(new MyPluginOptions()));
        Assert.False(IsValid(new MyPluginOptions { Hidden = 0 }));
    }

    [Theory]
    [InlineData("image", new long[] { 1, 8, 8 })]
    [InlineData("vector", new long[] { 2 })]
    public void TheOutputIsShapedLikeTheInput(string kind, long[] itemShape)
    {
        using var network = new MyPluginDenoiser(new MyPluginOptions { Hidden = 16 }).Build(new DataSpec(kind, itemShape));
        using var x = randn([3, .. itemShape]);
        using var t = tensor(new float[] { 0, 10, 999 });

        using var y = network.forward(x, t, null);

        Assert.Equal(x.shape, y.shape);
        Assert.True(y.isfinite().all().item<bool>());
    }

    [Fact]
    public void ModelsNoTokens()
    {
        var error = Assert.Throws<PluginInputException>(() => new MyPluginDenoiser(new MyPluginOptions()).Build(new DataSpec("tokens", [8], VocabSize: 30)));
        Assert.Contains("continuous data", error.Message);
    }

    /// <summary>The gradient autograd computes (what training uses) against central finite differences, in float64.</summary>
    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        using var network = new MyPluginDenoiser(new MyPluginOptions { Hidden = 8 }).Build(new DataSpec("vector", [3]));
        network.to(ScalarType.Float64);
        using var x = randn(2, 3, dtype: ScalarType.Float64).requires_grad_();
        using var t = tensor(new double[] { 5, 500 }, dtype: ScalarType.Float64);
        using var weights = randn(2, 3, dtype: ScalarType.Float64);
        Func<Tensor, double> loss = input =>
        {
            using var scope = NewDisposeScope();
            return (network.forward(input, t, null) * weights).sum().item<double>();
        };

        using (var scope = NewDisposeScope())
            (network.forward(x, t, null) * weights).sum().backward();
        var parameter = network.parameters().First();
        Assert.NotNull(parameter.grad);
        Assert.True(parameter.grad!.abs().sum().item<double>() > 0, "the first layer gets a gradient");

        const double h = 1e-6;
        using var values = x.detach().clone();
        for (long i = 0; i < values.numel(); i++)
        {
            using var plus = values.clone();
            using var minus = values.clone();
            plus.view(-1)[i] += h;
            minus.view(-1)[i] -= h;
            double numeric = (loss(plus) - loss(minus)) / (2 * h);
            double analytic = x.grad!.view(-1)[i].item<double>();
            Assert.True(Math.Abs(analytic - numeric) < 1e-6 * Math.Max(1, Math.Abs(numeric)), $"input {i}: autograd {analytic}, finite difference {numeric}");
        }
    }

    private static bool IsValid(object options) =>
        Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true);
}
