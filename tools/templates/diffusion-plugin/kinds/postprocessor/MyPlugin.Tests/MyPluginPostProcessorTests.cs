using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Diffusion.Abstractions.Plugins;
using static TorchSharp.torch;

namespace MyPlugin.Tests;

public class MyPluginPostProcessorTests
{
    [Fact]
    public void IsAPostProcessorNamedForPipelinesWithValidatedOptions()
    {
        var attribute = typeof(MyPluginPostProcessor).GetCustomAttribute<PluginAttribute>()!;

        Assert.Equal(PluginKind.PostProcessor, attribute.Kind);
        Assert.Equal("my-plugin", attribute.Name);
        Assert.True(attribute.Kind.ContractType().IsAssignableFrom(typeof(MyPluginPostProcessor)));
        Assert.True(IsValid(new MyPluginOptions()));
        Assert.False(IsValid(new MyPluginOptions { Scale = -1 }));
    }

    [Fact]
    public void ScalesTheSamplesAndLeavesItsInputAlone()
    {
        using var context = new TestRunContext();
        using var samples = tensor(new float[] { -1, 0, 0.5f, 1 }).reshape(1, 1, 2, 2);
        using var original = samples.clone();

        using var result = new MyPluginPostProcessor(new MyPluginOptions { Scale = 0.5 }).Process(samples, context);

        Assert.Equal(samples.shape, result.shape);
        Assert.True(result.eq(original * 0.5).all().item<bool>());
        Assert.True(samples.eq(original).all().item<bool>());
    }

    private static bool IsValid(object options) =>
        Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true);
}
