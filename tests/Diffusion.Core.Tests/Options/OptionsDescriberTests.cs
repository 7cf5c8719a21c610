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
        Assert.Equal("list of int", options["channel_mults"].TypeName);
        Assert.Equal("[1, 2, 4]", options["channel_mults"].DefaultValue);
        Assert.Equal("[]", options["attention_resolutions"].DefaultValue);
        Assert.Equal("float", options["dropout"].TypeName);
        Assert.Equal("0.1", options["dropout"].DefaultValue);
        Assert.Equal("0.999", options["ema.decay"].DefaultValue);
        Assert.Equal("true", options["ema.enabled"].DefaultValue);
        Assert.Equal("null", options["max_params"].DefaultValue);
    }

    [Fact]
    public void Base_class_options_come_first_and_enums_list_their_values()
    {
        var options = OptionsDescriber.Describe(typeof(TestDdpmOptions));
        Assert.Equal(["beta_schedule", "timesteps", "clip_sample"], options.Select(o => o.Key));
        Assert.Equal("linear|scaled_linear|cosine", options[0].TypeName);
        Assert.Equal("linear", options[0].DefaultValue);
        Assert.Equal("Beta spacing.", options[0].Description);
        Assert.Equal("1000", options[1].DefaultValue);
    }

    [Fact]
    public void Required_and_component_refs_are_marked()
    {
        var options = OptionsDescriber.Describe(typeof(TestTrainOptions)).ToDictionary(o => o.Key);
        Assert.True(options["model"].Required);
        Assert.Equal(PluginKind.Denoiser, options["model"].ComponentKind);
        Assert.Equal("\"\"", options["model"].DefaultValue);
        Assert.Equal("0.0002", options["lr"].DefaultValue);
        Assert.Equal("[1E-08, 1]", options["lr"].Range);

        var folder = Assert.Single(OptionsDescriber.Describe(typeof(TestFolderOptions)));
        Assert.Equal(new OptionInfo("path", "string", "null", "Folder of images.", true, null, null), folder);
    }
}
