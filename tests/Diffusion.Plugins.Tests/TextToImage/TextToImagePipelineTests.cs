namespace Diffusion.Plugins.Tests.TextToImage;

/// <summary>The shipped text-to-image pipeline runs end to end at tiny scale, on captioned shapes (no files needed).</summary>
public class TextToImagePipelineTests
{
    [Fact]
    public void Text2image_cfg_trains_samples_with_and_without_guidance_and_scores_both()
    {
        using var temp = new TempFolder();
        var run = PipelineRun.Run(temp, PipelineRun.Shipped("text2image-cfg.yaml"),
        [
            "components.data.dataset=shapes", "components.data.count=48", "components.data.image_size=8",
            $"components.data.classifier_cache={Path.Combine(temp.Path, "cache")}", "components.data.classifier_epochs=1",
            "components.model.base_channels=16", "components.model.groups=4", "components.model.num_heads=2",
            "components.model.attention_resolutions=[4]", "components.model.context_dim=16",
            "components.model.text_encoder_layers=1", "components.model.text_encoder_width=16", "components.model.text_encoder_heads=2",
            "stages.train.steps=3", "stages.train.batch_size=4", "stages.train.warmup_steps=1", "stages.train.checkpoint_every=0",
            "stages.sample-w0.count=6", "stages.sample-w0.steps=2", "stages.sample-cfg.count=6", "stages.sample-cfg.steps=2",
            "stages.sample-cfg-high.count=6", "stages.sample-cfg-high.steps=2",
            "stages.evaluate-cfg-high.loss_items=4", "stages.evaluate-cfg-high.loss_timesteps=1",
        ]);

        Assert.True(run.Status == RunStatus.Completed, run.Message);
        var metrics = PipelineRun.Metrics(temp, run);
        foreach (string stage in new[] { "evaluate-w0", "evaluate-cfg", "evaluate-cfg-high" })
        {
            foreach (string key in new[] { "prompt-accuracy", "prompt-accuracy-floor", "shape-accuracy", "colour-accuracy", "size-accuracy", "position-accuracy" })
                Assert.InRange(metrics[$"{stage}/{key}"], 0.0, 1.0);
        }
        Assert.Contains("eval/denoise_loss", metrics.Keys);
        Assert.Equal(2.0, metrics["sample-cfg/guidance_scale"]);
        Assert.Equal(4.0, metrics["sample-cfg-high/guidance_scale"]);
        // Real images read back almost perfectly (colour, size and position exactly; shape by a 1-epoch classifier).
        Assert.Equal(1.0, metrics["evaluate-w0/colour-accuracy-floor"]);
        foreach (string stage in new[] { "sample-w0", "sample-cfg", "sample-cfg-high" })
        {
            Assert.True(File.Exists(Path.Combine(run.RunFolder, $"{stage}.png")));
            var prompts = PromptsFile.Read(Path.Combine(run.RunFolder, $"{stage}.prompts.txt"));
            Assert.Equal(6, prompts.Length);
            Assert.Equal("a small red circle at the top left", prompts[0]);
        }
    }
}
