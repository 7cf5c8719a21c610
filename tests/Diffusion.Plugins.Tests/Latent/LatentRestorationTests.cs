using Diffusion.Plugins.Tests.Compression;
using Xunit.Abstractions;

namespace Diffusion.Plugins.Tests.Latent;

/// <summary>
/// The restoration stages on a latent flow model at tiny size (16x16 shapes, f = 4): inpaint encodes the known region,
/// blends in latent space through the flow ODE, decodes and keeps the known pixels; denoise encodes the noisy input and
/// measures its noise in latent space; superres, which needs a pixel-space condition, refuses with a message.
/// </summary>
public class LatentRestorationTests(ITestOutputHelper output)
{
    private const string Pipeline = """
        name: latent-restoration
        seed: 3
        components:
          data: { plugin: latent, dataset: shapes, image_size: 16, count: 128, latent_channels: 4, downsample: 4, base_channels: 8, metrics: [fd-pixels] }
          model: { plugin: unet2d, base_channels: 16, groups: 4, channel_mults: [1, 2], attention_resolutions: [] }
          noise: { plugin: flow-euler }
        stages:
          - { name: autoencoder, type: train-autoencoder, data: data, steps: 60, batch_size: 8, lr: 0.003, eval_items: 8, checkpoint_every: 0 }
          - { name: train, type: train, model: model, data: data, sampler: noise, steps: 6, batch_size: 8, lr: 0.002, checkpoint_every: 0 }
          - { name: inpaint, type: inpaint, model: model, data: data, count: 4, batch_size: 4, steps: 6, jump_length: 2, jump_n_sample: 2 }
          - { name: denoise, type: denoise, model: model, data: data, sampler: noise, count: 4, steps: 3, noise_std: 0.1 }
        """;

    [Fact]
    public void Inpaint_and_denoise_work_on_a_latent_flow_model()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "pipeline.yaml");
        File.WriteAllText(path, Pipeline);

        var run = PipelineRun.Run(folder, path);

        Assert.True(run.Status == RunStatus.Completed, run.Message);
        var m = PipelineRun.Metrics(folder, run);
        foreach (var (key, value) in m.Where(p => p.Key.StartsWith("inpaint/") || p.Key.StartsWith("denoise/") || p.Key == "autoencoder/psnr"))
            output.WriteLine($"{key} = {value:0.#####}");
        // Known pixels are exact after the decode (they are put back), and the decoded result already agreed with them
        // before that to within the autoencoder's own error plus the seam.
        Assert.Equal(0, m["inpaint/known_max_error"]);
        double reconstructionRms = Math.Pow(10, -m["autoencoder/psnr"] / 20);
        Assert.True(m["inpaint/latent_known_rms"] < 2 * reconstructionRms + 0.05, $"{m["inpaint/latent_known_rms"]} vs autoencoder rms {reconstructionRms}");
        Assert.Equal(0.25, m["inpaint/missing_fraction"], 6);      // the centred 8x8 square of 16x16
        Assert.Equal(0.25, m["inpaint/latent_missing_fraction"], 6); // its 2x2 latent positions of 4x4
        foreach (var key in new[] { "inpaint/psnr", "inpaint/psnr_replace", "inpaint/psnr_mean_fill", "denoise/psnr", "denoise/psnr_input" })
            Assert.True(double.IsFinite(m[key]), key);
        // Denoise: the images' noise (std 0.2 in model space) is measured in latent space and the start level matches it.
        Assert.InRange(m["denoise/latent_noise_sigma"], 0.01, 2);
        Assert.True(m["denoise/start_timestep"] > 0);
        // The stage's results are images, as from a pixel model.
        Assert.True(File.Exists(Path.Combine(run.RunFolder, "inpaint.png")));
        Assert.True(File.Exists(Path.Combine(run.RunFolder, "denoise.png")));
    }

    [Fact]
    public void Superres_on_a_latent_model_says_why_not()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "pipeline.yaml");
        File.WriteAllText(path, Pipeline
            .Replace("steps: 60, batch_size: 8", "steps: 2, batch_size: 4").Replace("steps: 6, batch_size: 8", "steps: 1, batch_size: 4")
            .Replace("  - { name: inpaint", "  - { name: superres, type: superres, model: model, data: data, sampler: noise, scale: 2, count: 2, steps: 2 }\n  - { name: inpaint"));

        var run = PipelineRun.Run(folder, path);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains("latent modality", run.Message);
        Assert.Contains("train a pixel model", run.Message);
    }
}
