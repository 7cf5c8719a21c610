namespace Diffusion.Cli.Tests;

/// <summary>The text pipelines run end to end at tiny scale, and <c>runs show</c> prints the generated text.</summary>
public class TextPipelinesTests
{
    private static readonly string[] TinyModel =
    [
        "components.model.hidden_size=16", "components.model.depth=1", "components.model.num_heads=2",
        "stages.train.steps=3", "stages.train.batch_size=8", "stages.train.checkpoint_every=0", "stages.train.ema_decay=0",
    ];

    [Fact]
    public void Text_mdlm_trains_samples_and_scores_text_at_tiny_scale()
    {
        using var work = new WorkDir();
        var result = Cli.Run(work.Path, ["run", Path.Combine(Cli.RepoRoot, "pipelines", "text-mdlm.yaml"), .. SetAll(TinyModel),
            .. SetAll(["stages.sample.count=3", "stages.sample.steps=4", "components.data.gen_ppl_steps=2", "components.data.match_entries=20",
                "stages.evaluate.loss_items=8", "stages.evaluate.loss_timesteps=1"])]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("COMPLETED", result.Stdout);
        foreach (var metric in new[] { "eval/nelbo", "eval/nelbo_ppl", "eval/gen_ppl", "eval/unigram_entropy", "eval/distinct_2", "eval/nearest_match", "sample/denoiser_evaluations" })
            Assert.Contains(metric, result.Stdout + result.Stderr);

        string runId = result.Stdout.Split("see it with: diffusion runs show ")[1].Trim().Split()[0];
        var show = Cli.Run(work.Path, ["runs", "show", runId]);
        Assert.True(show.ExitCode == 0, show.Stderr);
        Assert.Contains("sample.txt (first 3 of 3):", show.Stdout);
    }

    [Fact]
    public void Text_infill_keeps_the_templates_at_tiny_scale()
    {
        using var work = new WorkDir();
        var result = Cli.Run(work.Path, ["run", Path.Combine(Cli.RepoRoot, "pipelines", "text-infill.yaml"), .. SetAll(TinyModel),
            .. SetAll(["stages.infill.count=1", "stages.infill.steps=4"])]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("COMPLETED", result.Stdout);
        string samples = File.ReadAllText(Directory.GetFiles(Path.Combine(work.Path, "runs"), "infill.txt", SearchOption.AllDirectories).Single());
        var entries = samples.Split("\n%\n");
        Assert.Equal(4, entries.Length);
        Assert.StartsWith("the red ", entries[0]);
        Assert.EndsWith(" the river.", entries[0]);
        Assert.StartsWith("a happy", entries[1]);
        Assert.EndsWith(" in the rain.", entries[2].TrimEnd('\n'));
    }

    [Fact]
    public void Token_data_with_a_continuous_scheduler_is_refused_with_the_fix()
    {
        using var work = new WorkDir();
        var result = Cli.Run(work.Path, ["run", Path.Combine(Cli.RepoRoot, "pipelines", "text-mdlm.yaml"), .. SetAll(TinyModel),
            "--set", "components.noise.plugin=ddpm"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("needs a token sampler such as mdlm or d3pm-uniform", result.Stderr + result.Stdout);
    }

    private static IEnumerable<string> SetAll(IEnumerable<string> overrides) => overrides.SelectMany(o => new[] { "--set", o });
}
