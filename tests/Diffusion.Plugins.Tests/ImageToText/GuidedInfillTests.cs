namespace Diffusion.Plugins.Tests.ImageToText;

/// <summary>
/// An infill stage conditioned and guided like a sample stage: a tiny image captioner (captioned shapes, MDLM, trained
/// with condition dropout) completes caption templates for held-out images, with and without classifier-free guidance;
/// the templates' old key, <c>prompts</c>, still works, with a warning.
/// </summary>
public class GuidedInfillTests
{
    private const string Stage = "type: infill, model: model, sampler: noise, data: data, count: 3, batch_size: 4, steps: 4, conditions: test";

    private const string Yaml = $$"""
        name: guided-infill
        seed: 5
        device: cpu
        components:
          data: { plugin: image-caption, dataset: shapes, count: 40, image_size: 12, seq_len: 12 }
          model: { plugin: transformer1d, hidden_size: 16, depth: 1, num_heads: 2, time_conditioning: false, image_encoder_channels: 4 }
          noise: { plugin: mdlm }
        stages:
          - { name: train, type: train, model: model, data: data, sampler: noise, steps: 40, batch_size: 8, lr: 0.005, cond_dropout: 0.2, checkpoint_every: 0, ema_decay: 0, warmup_steps: 0 }
          - { name: conditional, {{Stage}}, templates: ["a large{*}", "a small{*}"] }
          - { name: w0, {{Stage}}, templates: ["a large{*}", "a small{*}"], guidance_scale: 0 }
          - { name: guided, {{Stage}}, templates: ["a large{*}", "a small{*}"], guidance_scale: 4 }
          - { name: old, {{Stage}}, prompts: ["a large{*}", "a small{*}"] }
        """;

    [Fact]
    public void Guidance_changes_the_completions_and_the_old_prompts_key_still_means_the_templates()
    {
        using var temp = new TempFolder();
        string path = Path.Combine(temp.Path, "guided-infill.yaml");
        File.WriteAllText(path, Yaml);

        var warning = Assert.Single(PipelineRun.Bind(path).Warnings);
        Assert.EndsWith("warning: stages.old.prompts is deprecated; write templates", warning.ToString(), StringComparison.Ordinal);
        var run = PipelineRun.Run(temp, path);

        Assert.True(run.Status == RunStatus.Completed, run.Message);
        string Completions(string stage) => File.ReadAllText(Path.Combine(run.RunFolder, $"{stage}.txt"));
        // guidance_scale 0 is the conditional model alone: the same completions, to the token.
        Assert.Equal(Completions("conditional"), Completions("w0"));
        // w = 4 steers each caption towards its image: other completions, the templates' text still kept.
        Assert.NotEqual(Completions("w0"), Completions("guided"));
        var guided = Completions("guided").TrimEnd('\n').Split("\n%\n");
        Assert.Equal(6, guided.Length);
        Assert.All(guided[..3], c => Assert.StartsWith("a large", c, StringComparison.Ordinal));
        Assert.All(guided[3..], c => Assert.StartsWith("a small", c, StringComparison.Ordinal));
        Assert.Equal(4.0, PipelineRun.Metrics(temp, run)["guided/guidance_scale"]);
        // Row i was conditioned on held-out image i: the table beside the completions pairs them with the true captions.
        Assert.Equal(7, File.ReadAllLines(Path.Combine(run.RunFolder, "guided-captions.tsv")).Length);
        // The old key binds to the templates (not to the condition prompts): the same rows as with templates.
        Assert.Equal(Completions("w0"), Completions("old"));
    }
}
