using Diffusion.Abstractions.Plugins;
using Diffusion.Core.Pipelines;

namespace Diffusion.Core.Tests.Pipelines;

public sealed class PipelineBinderTests : PipelineTestBase
{
    /// <summary>"FILE:LINE:COL" of the first <paramref name="token"/> on 1-based <paramref name="line"/> of <paramref name="text"/>.</summary>
    private static string At(string path, string text, int line, string token)
    {
        string row = text.Split('\n')[line - 1];
        int column = row.IndexOf(token, StringComparison.Ordinal);
        Assert.True(column >= 0, $"'{token}' is not on line {line}");
        return $"{path}:{line}:{column + 1}";
    }

    [Fact]
    public void Quickstart_binds_components_stages_and_typed_options()
    {
        var spec = Bind(WriteFragment("quickstart.yaml", Quickstart));

        Assert.Equal("quickstart", spec.Name);
        Assert.Equal(42, spec.Seed);
        Assert.Equal("auto", spec.Device);
        Assert.Equal(["data", "model", "noise", "clamp"], spec.Components.Select(c => c.Name));
        Assert.Equal(["train", "sample", "post", "eval"], spec.Stages.Select(s => s.Name));
        Assert.Equal(PluginKind.Denoiser, spec.Components[1].Plugin.Kind);

        var unet = Options<TestUnetOptions>(spec, "model");
        Assert.Equal(32, unet.BaseChannels);
        Assert.Equal([1, 2], unet.ChannelMults);
        Assert.Equal(0.1f, unet.Dropout);
        Assert.Equal(TestBetaSchedule.Cosine, Options<TestDdpmOptions>(spec, "noise").BetaSchedule);
        Assert.Equal(1500, StageOptions<TestTrainOptions>(spec, "train").Steps);
        Assert.Equal(["clamp"], StageOptions<TestPostprocessOptions>(spec, "post").Processors);
    }

    [Fact]
    public void Name_defaults_to_the_file_name()
    {
        var spec = Bind(WriteFragment("my-run.yaml", "components: {}\n"));
        Assert.Equal("my-run", spec.Name);
        Assert.Equal(0, spec.Seed);
    }

    [Fact]
    public void Params_hold_every_option_with_defaults_and_plain_types()
    {
        var spec = Bind(WriteFragment("quickstart.yaml", Quickstart));
        var p = spec.Params.ToDictionary(kv => kv.Key, kv => kv.Value);

        Assert.Equal("quickstart", p["name"]);
        Assert.Equal(42L, p["seed"]);
        Assert.Equal("auto", p["device"]);
        Assert.Equal("unet2d", p["components.model.plugin"]);
        Assert.Equal(32L, p["components.model.base_channels"]);
        Assert.Equal("[1, 2]", p["components.model.channel_mults"]);
        Assert.Equal("[]", p["components.model.attention_resolutions"]);
        Assert.Equal(0.1, p["components.model.dropout"]);             // float default, as the double it reads
        Assert.Equal(0.999, p["components.model.ema.decay"]);         // nested options, dotted
        Assert.Equal(true, p["components.model.ema.enabled"]);
        Assert.False(p.ContainsKey("components.model.max_params"));  // null values are left out
        Assert.Equal("cosine", p["components.noise.beta_schedule"]); // enum as its YAML spelling
        Assert.Equal(1000L, p["components.noise.timesteps"]);         // default, inherited from the base class
        Assert.Equal(true, p["components.noise.clip_sample"]);
        Assert.Equal(-1.0, p["components.clamp.min"]);
        Assert.Equal("train", p["stages.train.type"]);
        Assert.Equal(1500L, p["stages.train.steps"]);
        Assert.Equal(2e-4, p["stages.train.lr"]);
        Assert.Equal("noise", p["stages.train.sampler"]);
        Assert.Equal("[clamp]", p["stages.post.processors"]);
        Assert.All(spec.Params, kv => Assert.True(kv.Value is long or double or bool or string, kv.Key));
    }

    [Fact]
    public void Unknown_top_level_key_suggests_and_lists_valid_keys()
    {
        string text = "sede: 42\n";
        string path = WriteFragment("p.yaml", text);
        var error = Assert.Single(Errors(path));
        Assert.Equal($"{path}:1:1: error: unknown key 'sede' (did you mean 'seed'?); valid keys: extends, name, description, seed, device, threads, plugins, tags, components, stages, sweep", error);
    }

    [Fact]
    public void Unknown_option_key_suggests_the_closest_option()
    {
        string text = """
            components:
              model: { plugin: unet2d, base_chanels: 32 }
            """;
        string path = WriteFragment("p.yaml", text);
        var error = Assert.Single(Errors(path));
        Assert.StartsWith($"{At(path, text, 2, "base_chanels")}: error: unknown key 'base_chanels' (did you mean 'base_channels'?) for component 'model' (unet2d); valid keys: plugin, base_channels, channel_mults", error);
    }

    [Fact]
    public void Wrong_type_reports_at_the_value()
    {
        string text = """
            components:
              data: { plugin: image, image_size: abc }
            """;
        string path = WriteFragment("p.yaml", text);
        Assert.Equal([$"{At(path, text, 2, "abc")}: error: image_size: expected an integer, got 'abc'"], Errors(path));
    }

    [Fact]
    public void Wrong_enum_value_lists_allowed_values()
    {
        string text = """
            components:
              noise: { plugin: ddpm, beta_schedule: cosin }
              data: { plugin: image, dataset: fashion_mnist }
            """;
        string path = WriteFragment("p.yaml", text);
        Assert.Equal([$"{At(path, text, 2, "cosin")}: error: beta_schedule: expected one of linear|scaled_linear|cosine, got 'cosin' (did you mean 'cosine'?)"], Errors(path));
    }

    [Fact]
    public void Enum_values_match_ignoring_case_and_dashes()
    {
        string path = WriteFragment("p.yaml", """
            components:
              noise: { plugin: ddpm, beta_schedule: Scaled_Linear }
              data: { plugin: image, dataset: fashion-mnist }
            """);
        var spec = Bind(path);
        Assert.Equal(TestBetaSchedule.ScaledLinear, Options<TestDdpmOptions>(spec, "noise").BetaSchedule);
        Assert.Equal(TestDataset.FashionMnist, Options<TestImageOptions>(spec, "data").Dataset);
    }

    [Fact]
    public void Out_of_range_shows_the_range()
    {
        string text = """
            components:
              noise: { plugin: ddpm, timesteps: 1 }
              model: { plugin: unet2d, dropout: 1.5 }
            """;
        string path = WriteFragment("p.yaml", text);
        Assert.Equal(
            [
                $"{At(path, text, 2, "1 }")}: error: timesteps: must be in [2, 100000], got 1",
                $"{At(path, text, 3, "1.5")}: error: dropout: must be in [0, 1], got 1.5",
            ],
            Errors(path));
    }

    [Fact]
    public void Missing_required_option_reports_at_the_component()
    {
        string text = """
            components:
              photos: { plugin: folder }
            """;
        string path = WriteFragment("p.yaml", text);
        Assert.Equal([$"{At(path, text, 2, "photos")}: error: missing required option 'path' for component 'photos' (folder)"], Errors(path));
    }

    [Fact]
    public void Unknown_plugin_suggests_and_lists_plugins_by_kind()
    {
        string text = """
            components:
              model: { plugin: unet }
            """;
        string path = WriteFragment("p.yaml", text);
        var error = Assert.Single(Errors(path));
        Assert.Equal(
            $"{At(path, text, 2, "unet")}: error: unknown plugin 'unet' (did you mean 'unet2d'?); available samplers: ddim, ddpm, twin; denoisers: twin, unet2d; modalities: folder, image; postprocessors: clamp, identity",
            error);
    }

    [Fact]
    public void Ambiguous_plugin_name_needs_kind_prefix()
    {
        string text = """
            components:
              a: { plugin: twin }
              b: { plugin: sampler/twin }
              c: { plugin: samplr/ddpm }
            """;
        string path = WriteFragment("p.yaml", text);
        var errors = Errors(path);
        Assert.Equal(2, errors.Count);
        Assert.Equal($"{At(path, text, 2, "twin")}: error: plugin name 'twin' is ambiguous: there is a sampler and a denoiser of that name; write 'sampler/twin' or 'denoiser/twin'", errors[0]);
        Assert.StartsWith($"{At(path, text, 4, "samplr")}: error: unknown plugin kind 'samplr' (did you mean 'sampler'?)", errors[1]);
    }

    [Fact]
    public void Plugin_without_options_rejects_other_keys()
    {
        string text = """
            components:
              id: { plugin: postprocessor/identity, strength: 2 }
            """;
        string path = WriteFragment("p.yaml", text);
        Assert.Equal([$"{At(path, text, 2, "strength")}: error: unknown key 'strength': component 'id' (identity) has no options; valid keys: plugin"], Errors(path));
    }

    [Fact]
    public void Component_refs_must_name_components_of_the_right_kind()
    {
        string text = """
            components:
              data: { plugin: image }
              model: { plugin: unet2d }
              noise: { plugin: ddpm }
            stages:
              - { name: train, type: train, model: modle, data: data, sampler: noise }
              - { name: sample, type: sample, model: noise, sampler: noise }
              - { name: post, type: postprocess, processors: [clamp] }
            """;
        string path = WriteFragment("p.yaml", text);
        Assert.Equal(
            [
                $"{At(path, text, 6, "modle")}: error: model: unknown component 'modle' (did you mean 'model'?); denoiser components: model",
                $"{At(path, text, 7, "noise")}: error: model: component 'noise' is a sampler, expected a denoiser; denoiser components: model",
                $"{At(path, text, 8, "clamp")}: error: processors[0]: unknown component 'clamp'; the pipeline has no postprocessor component",
            ],
            Errors(path));
    }

    [Fact]
    public void Stage_names_are_required_and_unique_and_types_are_stage_plugins()
    {
        string text = """
            components:
              data: { plugin: image }
            stages:
              - { name: eval, type: evaluate }
              - { name: eval, type: evaluate }
              - { type: evaluate }
              - { name: x, type: trian }
            """;
        string path = WriteFragment("p.yaml", text);
        Assert.Equal(
            [
                $"{At(path, text, 5, "eval")}: error: duplicate stage name 'eval' (first used at line 4); stage names must be unique",
                $"{At(path, text, 6, "{")}: error: stages[2] has no 'name'; every stage needs a unique name",
                $"{At(path, text, 7, "trian")}: error: unknown stage type 'trian' (did you mean 'train'?); available stage types: evaluate, postprocess, sample, train",
            ],
            Errors(path));
    }

    [Fact]
    public void Several_errors_in_one_file_come_together_in_file_order()
    {
        string text = """
            name: multi
            sede: 42
            components:
              data: { plugin: image, image_size: abc }
              model: { plugin: unet, base_channels: 32 }
              noise: { plugin: ddpm, timesteps: 1 }
              photos: { plugin: folder }
            stages:
              - { name: train, type: train, model: modle, data: data, sampler: noise }
              - { name: train, type: sample, model: model, sampler: noise }
            """;
        string path = WriteFragment("p.yaml", text);
        var errors = Errors(path);
        Assert.Equal(7, errors.Count);
        Assert.StartsWith($"{At(path, text, 2, "sede")}: error: unknown key 'sede' (did you mean 'seed'?)", errors[0]);
        Assert.Equal($"{At(path, text, 4, "abc")}: error: image_size: expected an integer, got 'abc'", errors[1]);
        Assert.StartsWith($"{At(path, text, 5, "unet")}: error: unknown plugin 'unet' (did you mean 'unet2d'?)", errors[2]);
        Assert.Equal($"{At(path, text, 6, "1 }")}: error: timesteps: must be in [2, 100000], got 1", errors[3]);
        Assert.Equal($"{At(path, text, 7, "photos")}: error: missing required option 'path' for component 'photos' (folder)", errors[4]);
        Assert.StartsWith($"{At(path, text, 9, "modle")}: error: model: unknown component 'modle' (did you mean 'model'?)", errors[5]);
        Assert.StartsWith($"{At(path, text, 10, "train")}: error: duplicate stage name 'train'", errors[6]);
    }

    [Fact]
    public void Validatable_object_errors_point_at_the_offending_key()
    {
        string text = """
            components:
              clamp:
                plugin: clamp
                min: 2
                max: 1
            """;
        string path = WriteFragment("p.yaml", text);
        Assert.Equal([$"{At(path, text, 5, "max")}: error: min (2) must be less than max (1)"], Errors(path));
    }

    [Fact]
    public void Validatable_object_errors_on_unwritten_keys_point_at_the_component()
    {
        string text = """
            components:
              clamp: { plugin: clamp, min: 3 }
            """;
        string path = WriteFragment("p.yaml", text);
        Assert.Equal([$"{At(path, text, 2, "clamp")}: error: min (3) must be less than max (1)"], Errors(path));
    }

    [Fact]
    public void Nested_options_bind_as_maps_and_report_dotted_keys()
    {
        string text = """
            components:
              model:
                plugin: unet2d
                ema: { decay: 2, enabld: false }
                max_params: 123456789012
            """;
        string path = WriteFragment("p.yaml", text);
        var errors = Errors(path);
        Assert.Equal(2, errors.Count);
        Assert.Equal($"{At(path, text, 4, "2")}: error: ema.decay: must be in [0, 1], got 2", errors[0]);
        Assert.StartsWith($"{At(path, text, 4, "enabld")}: error: unknown key 'ema.enabld' (did you mean 'enabled'?)", errors[1]);

        var spec = Bind(WriteFragment("ok.yaml", text.Replace("decay: 2, enabld", "decay: 0.5, enabled")));
        var unet = Options<TestUnetOptions>(spec, "model");
        Assert.Equal(0.5, unet.Ema.Decay);
        Assert.False(unet.Ema.Enabled);
        Assert.Equal(123456789012L, unet.MaxParams);
    }

    [Fact]
    public void Lists_check_their_items_and_scalars_are_not_lists()
    {
        string text = """
            components:
              model: { plugin: unet2d, channel_mults: [1, x], attention_resolutions: 16 }
            """;
        string path = WriteFragment("p.yaml", text);
        Assert.Equal(
            [
                $"{At(path, text, 2, "x]")}: error: channel_mults[1]: expected an integer, got 'x'",
                $"{At(path, text, 2, "16")}: error: attention_resolutions: expected a list of int, got '16' (write [16])",
            ],
            Errors(path));
    }

    [Fact]
    public void Null_is_rejected_for_non_nullable_values()
    {
        string text = """
            components:
              model: { plugin: unet2d, base_channels: ~, max_params: null }
            """;
        string path = WriteFragment("p.yaml", text);
        Assert.Equal([$"{At(path, text, 2, "~")}: error: base_channels: expected an integer, got null"], Errors(path));
    }

    [Fact]
    public void Top_level_values_are_checked()
    {
        string text = """
            seed: lots
            device: gpu
            threads: 0
            tags: { team: vision, nested: [1] }
            """;
        string path = WriteFragment("p.yaml", text);
        Assert.Equal(
            [
                $"{At(path, text, 1, "lots")}: error: seed: expected an integer, got 'lots'",
                $"{At(path, text, 2, "gpu")}: error: device: expected one of auto|cpu|cuda, got 'gpu' (did you mean 'cpu'?)",
                $"{At(path, text, 3, "0")}: error: threads: expected auto or a whole number from 1 to 1024 (libtorch's threads for this run), got '0'",
                $"{At(path, text, 4, "[1]")}: error: tags.nested: expected a string, got a list",
            ],
            Errors(path));
    }

    [Theory]
    [InlineData("threads: 3\n", 3)]
    [InlineData("threads: auto\n", null)]
    [InlineData("threads: ~\n", null)]
    [InlineData("name: p\n", null)]
    public void Threads_is_a_count_or_auto(string yaml, int? expected)
    {
        Assert.Equal(expected, Bind(WriteFragment("p.yaml", yaml)).Threads);
    }

    [Fact]
    public void Tags_description_and_device_are_exposed()
    {
        var spec = Bind(WriteFragment("p.yaml", "description: a test\ndevice: CPU\ntags: { team: vision, n: 3 }\n"));
        Assert.Equal("a test", spec.Description);
        Assert.Equal("cpu", spec.Device);
        Assert.Equal([new("team", "vision"), new("n", "3")], spec.Tags);
    }

    [Fact]
    public void Component_declared_as_stage_type_is_explained()
    {
        string text = "components:\n  t: { plugin: train }\n";
        string path = WriteFragment("p.yaml", text);
        Assert.Contains("('train' is a stage type: use it as a stage's type)", Assert.Single(Errors(path)));
    }

    [Fact]
    public void Other_data_annotations_report_at_the_value_with_the_yaml_key()
    {
        string text = """
            components:
              model: { plugin: unet2d, channel_mults: [] }
            """;
        string path = WriteFragment("p.yaml", text);
        Assert.Equal([$"{At(path, text, 2, "[]")}: error: The field channel_mults must be a string or array type with a minimum length of '1'."], Errors(path));
    }

    [Fact]
    public void Errors_in_overrides_come_after_errors_in_files()
    {
        string text = "sede: 1\n";
        string path = WriteFragment("p.yaml", text);
        Assert.Equal(
            [$"{path}:1:1", "--set:1:6"],
            Assert.Throws<PipelineValidationException>(() => Bind(path, "seed=x")).Errors.Select(e => e.Location.ToString()));
    }
}
