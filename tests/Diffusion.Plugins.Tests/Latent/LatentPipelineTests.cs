using Diffusion.Abstractions.Checkpoints;
using Diffusion.Plugins.Tests.Compression;

namespace Diffusion.Plugins.Tests.Latent;

/// <summary>
/// pipelines/latent-diffusion.yaml end to end at tiny size (built-in shapes at 16x16 instead of Fashion-MNIST at 64x64):
/// the autoencoder trains, a class-conditional UNet trains on its latents with flow matching, samples are drawn with
/// guidance and decoded to images, then clamped and scored by the image metrics.
/// </summary>
public class LatentPipelineTests
{
    private static readonly string[] Tiny =
    [
        "components.data.dataset=shapes", "components.data.image_size=16", "components.data.count=64", "components.data.limit=0",
        "components.data.base_channels=8", "components.data.metrics=[fd-pixels]",
        "components.model.base_channels=8", "components.model.groups=4", "components.model.attention_resolutions=[2]",
        "stages.autoencoder.steps=4", "stages.autoencoder.batch_size=8", "stages.autoencoder.eval_items=16", "stages.autoencoder.checkpoint_every=0",
        "stages.train.steps=3", "stages.train.batch_size=8", "stages.train.warmup_steps=0", "stages.train.checkpoint_every=0",
        "stages.sample.count=4", "stages.sample.batch_size=4", "stages.sample.steps=2",
        "stages.evaluate.loss_items=4", "stages.evaluate.loss_timesteps=1",
    ];

    [Fact]
    public void The_latent_pipeline_trains_samples_decodes_and_scores_images()
    {
        using var folder = new TempFolder();
        var run = PipelineRun.Run(folder, PipelineRun.Shipped("latent-diffusion.yaml"), Tiny);

        Assert.True(run.Status == RunStatus.Completed, run.Message);
        var metrics = PipelineRun.Metrics(folder, run);
        foreach (var key in new[] { "autoencoder/psnr", "autoencoder/ssim", "autoencoder/scaling_factor", "autoencoder/recon-fd-pixels", "eval/fd-pixels", "eval/denoise_loss" })
            Assert.True(metrics.ContainsKey(key) && double.IsFinite(metrics[key]), key);
        Assert.True(File.Exists(Path.Combine(run.RunFolder, "checkpoints", "autoencoder", "step-00000004", "autoencoder.safetensors")));
        Assert.True(File.Exists(Path.Combine(run.RunFolder, "autoencoder-reconstruction.png")));
        // The denoiser trained on 4x4x4 latents; the samples kept and written are decoded 16x16 images.
        var (weights, _) = SafeTensors.Read(Path.Combine(run.RunFolder, "checkpoints", "train", "step-00000003", "model.safetensors"));
        Assert.Contains(weights.Values, w => w.dim() == 4 && w.shape[1] == 4); // the first conv takes 4 latent channels
        var (samples, _) = SafeTensors.Read(Path.Combine(run.RunFolder, "sample.safetensors"));
        Assert.Equal([4L, 1, 16, 16], samples["samples"].shape);
        Assert.True(File.Exists(Path.Combine(run.RunFolder, "postprocess.png")));
    }
}
