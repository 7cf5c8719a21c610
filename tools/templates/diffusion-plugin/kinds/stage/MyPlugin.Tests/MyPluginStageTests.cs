using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Stages;
using static TorchSharp.torch;

namespace MyPlugin.Tests;

public class MyPluginStageTests
{
    [Fact]
    public void IsAStageNamedForPipelinesWithValidatedOptions()
    {
        var attribute = typeof(MyPluginStage).GetCustomAttribute<PluginAttribute>()!;

        Assert.Equal(PluginKind.Stage, attribute.Kind);
        Assert.Equal("my-plugin", attribute.Name);
        Assert.True(attribute.Kind.ContractType().IsAssignableFrom(typeof(MyPluginStage)));
        Assert.True(IsValid(new MyPluginOptions()));
        Assert.False(IsValid(new MyPluginOptions { Bins = 0 }));
        Assert.False(IsValid(new MyPluginOptions { Min = 1, Max = -1 }));
    }

    [Fact]
    public void WritesTheHistogramOfTheSamplesAndItsMetrics()
    {
        using var context = new TestRunContext { StageName = "histogram" };
        context.State.Samples = new GeneratedSamples(tensor(new float[] { -0.9f, -0.8f, 0.1f, 0.9f, 2f }).reshape(5, 1));

        new MyPluginStage(new MyPluginOptions { Bins = 2 }).Run(context);

        string[] lines = File.ReadAllLines(Path.Combine(context.Artifacts.Root, "histogram.csv"));
        Assert.Equal(["bin_start,bin_end,count", "-1,0,2", "0,1,2"], lines);
        Assert.Contains(("histogram.csv", "histogram"), context.ArtifactsWritten);
        Assert.Contains(context.Metrics, m => m.Key == "histogram/outside" && Math.Abs(m.Value - 0.2) < 1e-12);
        Assert.Contains(context.Metrics, m => m.Key == "histogram/mean" && Math.Abs(m.Value - 0.26) < 1e-6);
    }

    [Fact]
    public void WithoutSamplesItSaysWhichStageIsMissing()
    {
        using var context = new TestRunContext { StageName = "histogram" };

        var error = Assert.Throws<PluginInputException>(() => new MyPluginStage(new MyPluginOptions()).Run(context));

        Assert.Contains("add a sample stage before it", error.Message);
    }

    private static bool IsValid(object options) =>
        Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true);
}
