using Diffusion.Abstractions.Options;
using Diffusion.Abstractions.Plugins;
using Diffusion.Core.Pipelines;

namespace Diffusion.Core.Tests.Pipelines;

/// <summary>A base with the key <c>prompts</c>, as GuidedSamplingOptions has it.</summary>
public abstract class TestGuidedOptions
{
    public string[]? Prompts { get; set; }

    public double GuidanceScale { get; set; }
}

/// <summary>Options with renamed keys: <c>prompts</c> (now taken by the base) became <c>templates</c>, <c>sample_count</c> became <c>count</c>.</summary>
public sealed class TestFillOptions : TestGuidedOptions
{
    [OptionAlias("prompts")]
    public string[] Templates { get; set; } = [];

    [OptionAlias("sample_count")]
    public int Count { get; set; } = 4;
}

/// <summary>Renamed option keys (<see cref="OptionAliasAttribute"/>): the old spelling binds with a warning naming the new one.</summary>
public sealed class OptionAliasTests : PipelineTestBase
{
    private static readonly FakeCatalog Catalog = new((PluginKind.Stage, "fill", typeof(TestFillOptions)));

    private static string Pipeline(string stage) => $$"""
        components:
          model: { plugin: unet2d }
        stages:
          - { name: fill, type: fill, {{stage}} }
        """;

    private static PipelineSpec BindWith(string path, params string[] overrides) =>
        PipelineBinder.Bind(PipelineLoader.Load(path, overrides), Catalog);

    [Fact]
    public void The_old_key_binds_to_the_renamed_option_with_a_warning_that_names_the_new_key()
    {
        string path = WriteFragment("fill.yaml", Pipeline("sample_count: 3"));

        var spec = BindWith(path);

        Assert.Equal(3, StageOptions<TestFillOptions>(spec, "fill").Count);
        var warning = Assert.Single(spec.Warnings);
        Assert.Equal($"{path}:4:31: warning: stages.fill.sample_count is deprecated; write count", warning.ToString());
    }

    [Fact]
    public void An_old_key_that_a_base_class_now_uses_keeps_its_old_meaning_until_the_new_key_is_written()
    {
        var old = BindWith(WriteFragment("old.yaml", Pipeline("prompts: [\"a {5} b\"]")));
        var renamed = BindWith(WriteFragment("new.yaml", Pipeline("templates: [\"a {5} b\"], prompts: [a red circle], guidance_scale: 2")));

        Assert.Equal(["a {5} b"], StageOptions<TestFillOptions>(old, "fill").Templates);
        Assert.Null(StageOptions<TestFillOptions>(old, "fill").Prompts);
        Assert.Equal("stages.fill.prompts is deprecated; write templates", Assert.Single(old.Warnings).Message);

        Assert.Equal(["a {5} b"], StageOptions<TestFillOptions>(renamed, "fill").Templates);
        Assert.Equal(["a red circle"], StageOptions<TestFillOptions>(renamed, "fill").Prompts!);
        Assert.Empty(renamed.Warnings);
    }

    [Fact]
    public void The_old_key_works_in_set_overrides_and_params_record_the_new_key()
    {
        var spec = BindWith(WriteFragment("fill.yaml", Pipeline("count: 2")), "stages.fill.prompts=[a b]");

        Assert.Equal(["a b"], StageOptions<TestFillOptions>(spec, "fill").Templates);
        Assert.Contains(spec.Warnings, w => w.Message == "stages.fill.prompts is deprecated; write templates");
        Assert.Equal("[a b]", spec.Params.Single(p => p.Key == "stages.fill.templates").Value);
    }

    [Fact]
    public void Writing_both_spellings_is_an_error_and_unknown_keys_do_not_suggest_old_ones()
    {
        string path = WriteFragment("fill.yaml", Pipeline("sample_count: 3, count: 2, sample_cnt: 1"));

        var errors = Assert.Throws<PipelineValidationException>(() => BindWith(path)).Errors.Select(e => e.Message).ToList();

        Assert.Contains("sample_count is the deprecated spelling of count, which is written too: keep only count", errors);
        var unknown = Assert.Single(errors, e => e.StartsWith("unknown key 'sample_cnt'", StringComparison.Ordinal));
        Assert.DoesNotContain("sample_count", unknown, StringComparison.Ordinal);
    }

    [Fact]
    public void The_first_waves_scheduler_kind_prefix_still_finds_the_sampler_with_a_warning()
    {
        string text = """
            components:
              noise: { plugin: scheduler/ddpm }
            """;
        string path = WriteFragment("old-kind.yaml", text);

        var spec = PipelineBinder.Bind(PipelineLoader.Load(path, []), FakeCatalog.Instance);

        Assert.Equal(PluginKind.Sampler, Assert.Single(spec.Components).Plugin.Kind);
        var warning = Assert.Single(spec.Warnings);
        Assert.Equal((path, 2, 20), (warning.Location.File, warning.Location.Line, warning.Location.Column));
        Assert.Equal("plugin kind 'scheduler' is deprecated; write 'sampler/ddpm'", warning.Message);
    }
}
