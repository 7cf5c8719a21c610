using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Diffusion.Abstractions.Plugins;

namespace MyPlugin.Tests;

public class MyPluginTests
{
    [Fact]
    public void IsAPostProcessorNamedForPipelinesWithValidDefaultOptions()
    {
        var attribute = typeof(MyPluginPostProcessor).GetCustomAttribute<PluginAttribute>()!;
        var options = new MyPluginOptions();

        Assert.Equal(PluginKind.PostProcessor, attribute.Kind);
        Assert.Equal("my-plugin", attribute.Name);
        Assert.True(attribute.Kind.ContractType().IsAssignableFrom(typeof(MyPluginPostProcessor)));
        Assert.True(Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true));
        var negative = new MyPluginOptions { Scale = -1 };
        Assert.False(Validator.TryValidateObject(negative, new ValidationContext(negative), null, validateAllProperties: true));
    }
}
