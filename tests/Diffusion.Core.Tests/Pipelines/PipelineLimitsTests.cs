using System.Diagnostics;
using System.Text;
using Diffusion.Core.Pipelines;

namespace Diffusion.Core.Tests.Pipelines;

/// <summary>
/// Hostile files: each is refused with one located error within a second, never by running out of memory or stack.
/// </summary>
public sealed class PipelineLimitsTests : PipelineTestBase
{
    private static string Refused(string path)
    {
        var clock = Stopwatch.StartNew();
        var ex = Assert.Throws<PipelineValidationException>(() => Load(path));
        clock.Stop();
        // Not a timing assertion: a bomb that is expanded takes minutes and gigabytes, so 30 s only catches a hang.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        return Assert.Single(ex.Errors).ToString();
    }

    [Fact]
    public void Alias_bomb_is_refused_before_it_is_expanded()
    {
        // Nine levels of ten aliases each: 10^9 values if expanded.
        var text = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int level = 1; level <= 9; level++)
            text.Append($"a{level}: &a{level} [{string.Join(", ", Enumerable.Repeat($"*a{level - 1}", 10))}]\n");
        string path = Write("bomb.yaml", text.ToString());
        string error = Refused(path);
        Assert.StartsWith($"{path}:", error);
        Assert.Contains("alias '*a", error);
        Assert.Contains("100,000 values", error);
    }

    [Fact]
    public void Too_many_aliases_are_refused()
    {
        var text = new StringBuilder("a: &a 1\nb:\n");
        for (int i = 0; i < 1_001; i++)
            text.Append("  - *a\n");
        string path = Write("aliases.yaml", text.ToString());
        Assert.Equal($"{path}:1003:5: error: more than 1,000 aliases ('*name') in one file; write the values out or use 'extends:'",
            Refused(path));
    }

    [Fact]
    public void Deep_nesting_is_refused_at_the_level_that_passes_the_limit()
    {
        string path = Write("deep.yaml", "a: " + new string('[', 100_000) + new string(']', 100_000) + "\n");
        string error = Refused(path);
        Assert.Equal($"{path}:1:{3 + 64}: error: maps and lists nest deeper than 64 levels here; a pipeline needs a handful", error);
    }

    [Fact]
    public void Oversized_file_is_refused_at_its_start()
    {
        string path = Write("big.yaml", "a: '" + new string('x', 2 << 20) + "'\n");
        string error = Refused(path);
        Assert.StartsWith($"{path}:1:1: error: the file holds 2,097,158 characters; a pipeline file may hold at most 1,048,576", error);
    }

    [Fact]
    public void Reference_bomb_is_refused()
    {
        // ${...} copies of copies double at each level: 2^40 values if expanded.
        var text = new StringBuilder("l0: [x, x]\n");
        for (int level = 1; level <= 40; level++)
            text.Append($"l{level}: ['${{l{level - 1}}}', '${{l{level - 1}}}']\n");
        string path = Write("refs.yaml", text.ToString());
        string error = Refused(path);
        Assert.Contains("references ('${...}') expand the pipeline past 100,000 values", error);
    }

    [Fact]
    public void Text_interpolation_bomb_is_refused()
    {
        var text = new StringBuilder("t0: " + new string('x', 64) + "\n");
        for (int level = 1; level <= 40; level++)
            text.Append($"t{level}: '${{t{level - 1}}}${{t{level - 1}}}'\n");
        string path = Write("text.yaml", text.ToString());
        Assert.Contains("interpolation makes the pipeline's text longer than 1,048,576 characters", Refused(path));
    }

    [Fact]
    public void Ordinary_anchors_and_references_still_work()
    {
        string path = Write("ok.yaml", "base: &m { plugin: unet2d, channel_mults: [1, 2] }\nother: *m\nsteps: 10\ncopy: ${steps}\n");
        var doc = Load(path);
        Assert.Equal("unet2d", ((PipelineScalar)doc.Find("other.plugin")!).Text);
        Assert.Equal("10", ((PipelineScalar)doc.Find("copy")!).Text);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("name: nothing\n")]
    [InlineData("name: nothing\nstages: []\n")]
    public void A_pipeline_without_stages_is_an_error(string text)
    {
        string path = Write("empty.yaml", text);
        string error = Assert.Single(Errors(path));
        Assert.StartsWith($"{path}:", error);
        Assert.Contains("at least one stage", error);
    }
}
