namespace Diffusion.Plugins.Tests.ImageToText;

/// <summary>pipelines/image2text.yaml runs end to end at tiny scale on captioned shapes through the pipeline runner.</summary>
public class ImageToTextPipelineTests
{
    private static readonly string[] TinyShapes =
    [
        "components.data.dataset=shapes", "components.data.image_size=12", "components.data.count=40", "components.data.seq_len=12",
        "components.model.hidden_size=16", "components.model.depth=1", "components.model.num_heads=2", "components.model.image_encoder_channels=4",
        "stages.train.steps=3", "stages.train.batch_size=8", "stages.train.checkpoint_every=0", "stages.train.ema_decay=0", "stages.train.warmup_steps=0",
        "stages.sample.count=6", "stages.sample.batch_size=4", "stages.sample.steps=4",
        "stages.evaluate.loss_items=6", "stages.evaluate.loss_timesteps=1",
    ];

    [Fact]
    public void Image2text_captions_held_out_shapes_and_scores_them_at_tiny_scale()
    {
        using var temp = new TempFolder();
        var run = PipelineRun.Run(temp, PipelineRun.Shipped("image2text.yaml"), TinyShapes);

        Assert.True(run.Status == RunStatus.Completed, run.Message);
        var metrics = PipelineRun.Metrics(temp, run);
        foreach (var key in new[] { "caption-accuracy", "class-accuracy", "token-accuracy", "valid-captions", "shape-accuracy", "colour-accuracy",
                     "size-accuracy", "position-accuracy", "attribute-accuracy", "nelbo", "nelbo_ppl" })
            Assert.Contains("eval/" + key, metrics.Keys);
        Assert.InRange(metrics["eval/caption-accuracy"], 0, 1);
        var captions = File.ReadAllText(Path.Combine(run.RunFolder, "sample.txt")).TrimEnd('\n').Split("\n%\n");
        Assert.Equal(6, captions.Length);
        Assert.Equal(7, File.ReadAllLines(Path.Combine(run.RunFolder, "sample-captions.tsv")).Length);
        Assert.True(File.Exists(Path.Combine(run.RunFolder, "sample-conditions.png")));
    }

    [Fact]
    public void Uniform_token_diffusion_and_guidance_on_caption_logits_run_through_the_same_pipeline()
    {
        using var temp = new TempFolder();
        var run = PipelineRun.Run(temp, PipelineRun.Shipped("image2text.yaml"),
            [.. TinyShapes, "components.noise.plugin=d3pm-uniform", "components.model.time_conditioning=true", "stages.sample.guidance_scale=1"]);

        Assert.True(run.Status == RunStatus.Completed, run.Message);
        var metrics = PipelineRun.Metrics(temp, run);
        Assert.Equal(1.0, metrics["sample/guidance_scale"]);
        Assert.Contains("eval/caption-accuracy", metrics.Keys);
    }

    [Fact]
    public void Image2text_runs_on_the_installed_fashion_mnist_at_tiny_scale()
    {
        if (!File.Exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")) return; // optional: needs dataset-fashion-mnist
        using var temp = new TempFolder();
        var run = PipelineRun.Run(temp, PipelineRun.Shipped("image2text.yaml"),
            [.. TinyShapes.Where(o => !o.StartsWith("components.data.", StringComparison.Ordinal)), "components.data.limit=32"]);

        Assert.True(run.Status == RunStatus.Completed, run.Message);
        var metrics = PipelineRun.Metrics(temp, run);
        Assert.Contains("eval/class-accuracy", metrics.Keys);
        Assert.DoesNotContain("eval/colour-accuracy", metrics.Keys);
    }
}
