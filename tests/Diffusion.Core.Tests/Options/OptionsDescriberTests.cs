using Diffusion.Abstractions.Plugins;
using Diffusion.Core.Options;
using Diffusion.Core.Tests.Pipelines;

namespace Diffusion.Core.Tests.Options;

public sealed class OptionsDescriberTests
{
    [Fact]
    public void Describes_keys_types_defaults_ranges_and_descriptions()
    {
        var options = OptionsDescriber.Describe(typeof(TestUnetOptions)).ToDictionary(o => o.Key);

        Assert.Equal(["base_channels", "channel_mults", "attention_resolutions", "dropout", "ema.decay", "ema.enabled", "max_params"], options.Keys);
        Assert.Equal(new OptionInfo("base_channels", "int", "64", null, false, "[1, 1024]", null), options["base_channels"]);
        Assert.Equal("list of int", options["channel_mults"].Type);
        Assert.Equal("[1, 2, 4]", options["channel_mults"].Default);
        Assert.Equal("[]", options["attention_resolutions"].Default);
        Assert.Equal("float", options["dropout"].Type);
        Assert.Equal("0.1", options["dropout"].Default);
        Assert.Equal("0.999", options["ema.decay"].Default);
        Assert.Equal("true", options["ema.enabled"].Default);
        Assert.Equal("null", options["max_params"].Default);
    }

    [Fact]
    public void Base_class_options_come_first_and_enums_list_their_values()
    {
        var options = OptionsDescriber.Describe(typeof(TestDdpmOptions));
        Assert.Equal(["beta_schedule", "timesteps", "clip_sample"], options.Select(o => o.Key));
        Assert.Equal("linear|scaled_linear|cosine", options[0].Type);
        Assert.Equal("linear", options[0].Default);
        Assert.Equal("Beta spacing.", options[0].Description);
        Assert.Equal("1000", options[1].Default);
    }

    [Fact]
    public void Required_and_component_refs_are_marked()
    {
        var options = OptionsDescriber.Describe(typeof(TestTrainOptions)).ToDictionary(o => o.Key);
        Assert.True(options["model"].Required);
        Assert.Equal(PluginKind.Denoiser, options["model"].ComponentKind);
        Assert.Equal("\"\"", options["model"].Default);
        Assert.Equal("0.0002", options["lr"].Default);
        Assert.Equal("[1E-08, 1]", options["lr"].Range);

        var folder = Assert.Single(OptionsDescriber.Describe(typeof(TestFolderOptions)));
        Assert.Equal(new OptionInfo("path", "string", "null", "Folder of images.", true, null, null), folder);
    }
}
