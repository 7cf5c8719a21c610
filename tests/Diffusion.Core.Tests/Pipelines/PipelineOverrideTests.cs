using Diffusion.Core.Pipelines;

namespace Diffusion.Core.Tests.Pipelines;

public sealed class PipelineOverrideTests : PipelineTestBase
{
    [Fact]
    public void Set_replaces_existing_scalars_by_stage_name_and_index()
    {
        string path = Write("q.yaml", Quickstart);
        var spec = Bind(path, "stages.train.steps=10", "stages.1.count=8", "seed=7", "components.noise.beta_schedule=linear");
        Assert.Equal(10, StageOptions<TestTrainOptions>(spec, "train").Steps);
        Assert.Equal(8, StageOptions<TestSampleOptions>(spec, "sample").Count);
        Assert.Equal(7, spec.Seed);
        Assert.Equal(TestBetaSchedule.Linear, Options<TestDdpmOptions>(spec, "noise").BetaSchedule);
        Assert.Equal(10L, spec.Params.Single(p => p.Key == "stages.train.steps").Value);
    }

    [Fact]
    public void Set_adds_a_valid_key_that_the_file_does_not_write()
    {
        var spec = Bind(Write("q.yaml", Quickstart), "stages.train.lr=0.001", "components.model.channel_mults=[1, 2, 4]");
        Assert.Equal(0.001, StageOptions<TestTrainOptions>(spec, "train").Lr);
        Assert.Equal([1, 2, 4], Options<TestUnetOptions>(spec, "model").ChannelMults);
    }

    [Fact]
    public void Set_values_are_located_on_the_command_line()
    {
        var errors = Errors(Write("q.yaml", Quickstart), "seed=1", "stages.train.steps=abc", "components.model.base_chanels=3");
        Assert.Equal(
            [
                "--set:2:20: error: steps: expected an integer, got 'abc'",
                "--set:3:18: error: unknown key 'base_chanels' (did you mean 'base_channels'?) for component 'model' (unet2d); valid keys: plugin, base_channels, channel_mults, attention_resolutions, dropout, ema, max_params",
            ],
            errors);
    }

    [Fact]
    public void A_bad_set_path_is_reported_together_with_errors_in_the_file()
    {
        var errors = Errors(Write("q.yaml", Quickstart.Replace("seed: 42", "sede: 42")), "stages.nosuch.steps=3");
        Assert.Contains(errors, e => e.Contains("q.yaml:") && e.Contains("'sede'"));
        Assert.Contains(errors, e => e.StartsWith("--set:1:1: error: bad --set path 'stages.nosuch.steps'"));
    }

    [Fact]
    public void Set_list_items_are_located_within_the_argument()
    {
        var errors = Errors(Write("q.yaml", Quickstart), "components.model.channel_mults=[1, x]");
        Assert.Equal(["--set:1:36: error: channel_mults[1]: expected an integer, got 'x'"], errors);
    }

    [Fact]
    public void Set_values_keep_colons_and_quotes_make_strings()
    {
        var doc = Load(Write("q.yaml", Quickstart), "description=note: a b", "name='12'");
        Assert.Equal("note: a b", doc.Find("description")!.ToString());
        var name = Assert.IsType<PipelineScalar>(doc.Find("name"));
        Assert.True(name.Quoted);
        Assert.Equal("12", name.Text);
    }

    [Theory]
    [InlineData("stages.trian.steps=1", "--set:1:1: error: bad --set path 'stages.trian.steps': no item named 'trian' in 'stages' (did you mean 'train'?); names: train, sample, post, eval")]
    [InlineData("stages.9.steps=1", "--set:1:1: error: bad --set path 'stages.9.steps': index 9 is out of range: 'stages' has 4 item(s)")]
    [InlineData("components.nope.x=1", "--set:1:1: error: bad --set path 'components.nope.x': no key 'nope' in 'components' (did you mean 'noise'?)")]
    [InlineData("seed.value=1", "--set:1:1: error: bad --set path 'seed.value': 'seed' is a value ('42'), it has no 'value'")]
    [InlineData("stages.ten=1", "--set:1:1: error: bad --set path 'stages.ten': no item named 'ten' in 'stages'; names: train, sample, post, eval")]
    [InlineData("steps", "--set:1:1: error: bad --set 'steps': expected PATH=VALUE (for example stages.train.steps=100)")]
    [InlineData("a..b=1", "--set:1:1: error: bad --set path 'a..b': empty segment")]
    public void Bad_set_paths_are_errors(string argument, string expected)
    {
        var ex = Assert.Throws<PipelineValidationException>(() => Bind(Write("q.yaml", Quickstart), argument));
        Assert.Equal([expected], ex.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void All_bad_overrides_are_reported_together()
    {
        var ex = Assert.Throws<PipelineValidationException>(() => Bind(Write("q.yaml", Quickstart), "x.y=1", "ok=1", "nope"));
        // 1: bad path, 2: a new top-level key the binder then rejects as unknown, 3: not PATH=VALUE.
        Assert.Equal(["--set:1:1", "--set:2:1", "--set:3:1"], ex.Errors.Select(e => e.Location.ToString()));
    }

    [Fact]
    public void Set_value_with_bad_yaml_is_located()
    {
        var ex = Assert.Throws<PipelineValidationException>(() => Bind(Write("q.yaml", Quickstart), "seed=[1, 2"));
        Assert.All(ex.Errors, e => Assert.Equal(("--set", 1), (e.Location.File, e.Location.Line)));
        Assert.Contains(ex.Errors, e => e.Location.Column == 6 && e.Message == "this '[' is not closed");
    }
}
