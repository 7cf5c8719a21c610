using Diffusion.Core.Pipelines;

namespace Diffusion.Core.Tests.Pipelines;

public sealed class PipelineInterpolationTests : PipelineTestBase
{
    private static List<string> LoadErrors(string path, params string[] overrides)
    {
        var ex = Assert.Throws<PipelineValidationException>(() => Load(path, overrides));
        return ex.Errors.Select(e => e.ToString()).ToList();
    }

    [Fact]
    public void Whole_scalar_reference_takes_the_value_and_its_type()
    {
        string path = Write("p.yaml", Quickstart + """

            description: "${components.model.base_channels}"
            tags: { size: "${components.data.image_size}" }
            """);
        var text = File.ReadAllText(path).Replace("count: 64", "count: \"${stages.train.steps}\"");
        File.WriteAllText(path, text);

        var doc = Load(path);
        var count = Assert.IsType<PipelineScalar>(doc.Find("stages.sample.count"));
        Assert.Equal("1500", count.Text);
        Assert.False(count.Quoted); // typed like the value it refers to, though the reference was quoted
        var spec = PipelineBinder.Bind(doc, FakeCatalog.Instance);
        Assert.Equal(1500, StageOptions<TestSampleOptions>(spec, "sample").Count);
        Assert.Equal("32", spec.Description);
    }

    [Fact]
    public void Reference_inside_text_is_substituted_as_text()
    {
        var doc = Load(Write("p.yaml", "seed: 3\nname: run-${seed}-of-${components.m.plugin}\ncomponents: { m: { plugin: unet2d } }\n"));
        Assert.Equal("run-3-of-unet2d", doc.Find("name")!.ToString());
    }

    [Fact]
    public void Reference_to_a_list_copies_it()
    {
        var doc = Load(Write("p.yaml", "a: [1, 2]\nb: ${a}\n"));
        var b = Assert.IsType<PipelineSequence>(doc.Find("b"));
        Assert.Equal(["1", "2"], b.Items.Select(i => i.ToString()));
        Assert.Equal(2, b.Location.Line);
    }

    [Fact]
    public void Chained_references_resolve_in_any_order()
    {
        var doc = Load(Write("p.yaml", "a: ${b}\nb: ${c}\nc: 5\n"));
        Assert.Equal("5", doc.Find("a")!.ToString());
        Assert.Equal("5", doc.Find("b")!.ToString());
    }

    [Fact]
    public void Environment_variables_with_and_without_defaults()
    {
        string name = "DSL_TEST_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(name, "777");
        try
        {
            var doc = Load(Write("p.yaml", $"seed: ${{env:{name}}}\nname: run-${{env:{name}_UNSET, fallback}}\ndescription: ${{env:{name}_UNSET,}}\n"));
            Assert.Equal("777", doc.Find("seed")!.ToString());
            Assert.Equal("run-fallback", doc.Find("name")!.ToString());
            Assert.Equal("", doc.Find("description")!.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void Missing_environment_variable_without_default_is_an_error()
    {
        string path = Write("p.yaml", "seed: ${env:DSL_TEST_SURELY_UNSET_VARIABLE}\n");
        Assert.Equal([$"{path}:1:7: error: environment variable 'DSL_TEST_SURELY_UNSET_VARIABLE' is not set (write ${{env:DSL_TEST_SURELY_UNSET_VARIABLE,DEFAULT}} to give a default)"], LoadErrors(path));
    }

    [Fact]
    public void Unknown_path_is_an_error_at_the_scalar()
    {
        string path = Write("p.yaml", "components: { m: { plugin: unet2d } }\nname: ${components.m.plugn}\n");
        Assert.Equal([$"{path}:2:7: error: unknown interpolation path 'components.m.plugn': no key 'plugn' in 'components.m' (did you mean 'plugin'?)"], LoadErrors(path));
    }

    [Fact]
    public void Cycles_are_reported_once()
    {
        string path = Write("p.yaml", "a: ${b}\nb: x${c}\nc: ${a}\n");
        Assert.Equal([$"{path}:1:4: error: interpolation cycle: a -> b -> c -> a"], LoadErrors(path));

        string self = Write("self.yaml", "a: ${a}\n");
        Assert.Equal([$"{self}:1:4: error: interpolation cycle: a -> a"], LoadErrors(self));

        string inside = Write("inside.yaml", "m: { x: \"${m}\" }\n");
        Assert.StartsWith($"{inside}:1:9: error: interpolation cycle: m.x -> m", Assert.Single(LoadErrors(inside)));
    }

    [Fact]
    public void Dollar_dollar_escapes_a_literal_reference()
    {
        var doc = Load(Write("p.yaml", "name: cost $${seed} is ${seed}\nseed: 4\ndescription: $${x\n"));
        Assert.Equal("cost ${seed} is 4", doc.Find("name")!.ToString());
        Assert.Equal("${x", doc.Find("description")!.ToString());
    }

    [Fact]
    public void Unclosed_reference_and_map_inside_text_are_errors()
    {
        string path = Write("p.yaml", "name: a${seed\ndescription: x${tags}\ntags: { a: b }\n");
        Assert.Equal(
            [
                $"{path}:1:7: error: unclosed '${{' in 'a${{seed' (write '$${{' for a literal '${{')",
                $"{path}:2:14: error: '${{tags}}' is a map; only a single value can be put inside text",
            ],
            LoadErrors(path));
    }

    [Fact]
    public void Overrides_are_applied_before_interpolation()
    {
        var doc = Load(Write("p.yaml", "seed: 1\nname: run-${seed}\n"), "seed=9");
        Assert.Equal("run-9", doc.Find("name")!.ToString());
    }
}
