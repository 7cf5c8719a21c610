using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Diffusion.Abstractions.Modalities;
using Diffusion.Abstractions.Plugins;
using static TorchSharp.torch;

namespace MyPlugin.Tests;

public class MyPluginModalityTests
{
    private readonly MyPluginModality modality = new(new MyPluginOptions { Count = 400, Radius = 0.5, Noise = 0.01 });

    [Fact]
    public void IsAModalityNamedForPipelinesWithValidatedOptions()
    {
        var attribute = typeof(MyPluginModality).GetCustomAttribute<PluginAttribute>()!;

        Assert.Equal(PluginKind.Modality, attribute.Kind);
        Assert.Equal("my-plugin", attribute.Name);
        Assert.True(attribute.Kind.ContractType().IsAssignableFrom(typeof(MyPluginModality)));
        Assert.True(IsValid(new MyPluginOptions()));
        Assert.False(IsValid(new MyPluginOptions { Count = 0 }));
    }

    [Fact]
    public void LoadsDeterministicSplitsOfTheSpecsShape()
    {
        using var train = modality.Load(DataSplit.Train);
        using var again = modality.Load(DataSplit.Train);
        using var test = modality.Load(DataSplit.Test);

        long[] shape = [400, .. modality.Spec.ItemShape];
        Assert.Equal(shape, train.Items.shape);
        Assert.Equal(100, test.Count);
        Assert.True(train.Items.eq(again.Items).all().item<bool>());
        Assert.False(train.Items.narrow(0, 0, 100).eq(test.Items).all().item<bool>());
    }

    [Fact]
    public void ScoresTheDataItselfAsOnTheRingAndTheOriginAsOff()
    {
        using var context = new TestRunContext();
        using var data = modality.Load(DataSplit.Test);
        using var origin = zeros(10, 2);

        var real = modality.Evaluate(data.Items, data, context);
        var off = modality.Evaluate(origin, data, context);

        Assert.True(real["ring_distance"] < 0.02, $"ring_distance of the data itself: {real["ring_distance"]}");
        Assert.Equal(0.0, real["off_ring_fraction"]);
        Assert.Equal(0.5, off["ring_distance"], 6);
        Assert.Equal(1.0, off["off_ring_fraction"]);
    }

    [Fact]
    public void WritesSamplesAsCsvArtifacts()
    {
        using var context = new TestRunContext();
        using var samples = tensor(new float[] { 0.5f, 0, 0, -0.5f }).reshape(2, 2);

        modality.WriteSamples(samples, "sample", context);

        string[] lines = File.ReadAllLines(Path.Combine(context.Artifacts.Root, "sample.csv"));
        Assert.Equal(["x,y", "0.5,0", "0,-0.5"], lines);
        Assert.Contains(("sample.csv", "samples"), context.ArtifactsWritten);
    }

    private static bool IsValid(object options) =>
        Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true);
}
