using Diffusion.Core.Pipelines;
using Diffusion.Core.Plugins;

namespace Diffusion.Stages.Tests.Sampling;

/// <summary>
/// Sample-stage options that contradict each other are refused when the pipeline is validated (file and line, exit 2
/// in the CLI), before anything trains: not after an hour of training when the stage runs.
/// </summary>
public sealed class SampleStageValidationTests
{
    private const string Yaml = """
        name: tiny-sample
        seed: 3
        device: cpu
        components:
          data: { plugin: image, dataset: shapes, image_size: 8, count: 64 }
          model: { plugin: unet2d, base_channels: 8, channel_mults: [1, 2], groups: 4 }
          noise: { plugin: ddpm, timesteps: 50 }
        stages:
          - { name: train, type: train, model: model, data: data, sampler: noise, steps: 2, batch_size: 8 }
          - { name: sample, type: sample, model: model, sampler: noise, data: data, count: 8, steps: 5 }
        """;

    private static PipelineSpec Bind(TempFolder folder, string yaml, params string[] overrides)
    {
        var document = PipelineLoader.Load(folder.File("p.yaml", yaml), overrides);
        return PipelineBinder.Bind(document, PluginDiscovery.Discover(PluginSource.Defaults(document.PluginFolders)));
    }

    private static string Error(TempFolder folder, string yaml, params string[] overrides)
    {
        var error = Assert.Throws<PipelineValidationException>(() => Bind(folder, yaml, overrides));
        return Assert.Single(error.Errors).ToString();
    }

    [Theory]
    [InlineData("guidance_scale: 2", "guidance_scale steers samples towards their condition, but they have none")]
    [InlineData("conditions: test, class_labels: cycle", "class_labels: cycle and conditions: test both choose the samples' labels")]
    [InlineData("conditions: test, prompts: [a red circle]", "prompts and conditions: test both set the samples' text conditions")]
    [InlineData("prompts: []", "prompts is an empty list")]
    public void Conflicting_options_are_refused_at_their_line(string options, string message)
    {
        using var folder = new TempFolder();
        string error = Error(folder, Yaml.Replace("count: 8, steps: 5 }", $"count: 8, steps: 5, {options} }}"));
        Assert.StartsWith(Path.Combine(folder.Path, "p.yaml") + ":10:", error);
        Assert.Contains($"error: {message}", error);
    }

    [Fact]
    public void A_conflict_set_on_the_command_line_is_reported_at_the_override()
    {
        using var folder = new TempFolder();
        Assert.StartsWith("--set:1:", Error(folder, Yaml, "stages.sample.guidance_scale=2"));
    }

    [Fact]
    public void Conditions_and_prompts_need_the_data_component_and_consistent_options_bind()
    {
        using var folder = new TempFolder();
        string noData = Yaml.Replace("sampler: noise, data: data, count: 8", "sampler: noise, count: 8");

        Assert.Contains("set data: on this stage", Error(folder, noData, "stages.sample.conditions=test"));
        Assert.Contains("set data: to the captioned modality", Error(folder, noData, "stages.sample.prompts=[a bag]"));
        var spec = Bind(folder, Yaml, "stages.sample.class_labels=cycle", "stages.sample.guidance_scale=3");
        Assert.Equal(2, spec.Stages.Count);
    }
}
