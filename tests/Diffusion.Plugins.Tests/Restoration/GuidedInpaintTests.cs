namespace Diffusion.Plugins.Tests.Restoration;

/// <summary>
/// An inpaint stage guided like a sample stage: a tiny text-to-image model (captioned shapes, trained with condition
/// dropout) inpaints its held-out images conditioned on their own captions, with and without classifier-free guidance.
/// </summary>
public class GuidedInpaintTests
{
    private const string Yaml = """
        name: guided-inpaint
        seed: 5
        device: cpu
        components:
          data: { plugin: captioned-image, dataset: shapes, count: 80, image_size: 12, caption_length: 12, metrics: [] }
          model:
            plugin: unet2d
            base_channels: 16
            channel_mults: [1, 2]
            res_blocks: 1
            groups: 4
            attention_resolutions: [6]
            num_heads: 2
            context_dim: 16
            text_encoder_layers: 1
            text_encoder_width: 16
            text_encoder_heads: 2
          noise: { plugin: ddpm, timesteps: 50 }
        stages:
          - { name: train, type: train, model: model, data: data, sampler: noise, steps: 3, batch_size: 4, cond_dropout: 0.2, checkpoint_every: 0 }
          - { name: conditional, type: inpaint, model: model, data: data, count: 4, batch_size: 2, steps: 4, jump_length: 2, jump_n_sample: 2, baselines: false, conditions: test }
          - { name: w0, type: inpaint, model: model, data: data, count: 4, batch_size: 2, steps: 4, jump_length: 2, jump_n_sample: 2, baselines: false, conditions: test, guidance_scale: 0 }
          - { name: guided, type: inpaint, model: model, data: data, count: 4, batch_size: 2, steps: 4, jump_length: 2, jump_n_sample: 2, baselines: false, conditions: test, guidance_scale: 3 }
          - { name: prompted, type: inpaint, model: model, data: data, count: 4, batch_size: 2, steps: 4, jump_length: 2, jump_n_sample: 2, baselines: false, prompts: [a large blue square], guidance_scale: 3, guidance_rescale: 0.5 }
        """;

    [Fact]
    public void Guidance_changes_the_inpainting_and_guidance_scale_0_reproduces_the_unguided_one_exactly()
    {
        using var temp = new TempFolder();
        string path = Path.Combine(temp.Path, "guided-inpaint.yaml");
        File.WriteAllText(path, Yaml);

        var run = PipelineRun.Run(temp, path);

        Assert.True(run.Status == RunStatus.Completed, run.Message);
        var metrics = PipelineRun.Metrics(temp, run);
        byte[] Grid(string stage) => File.ReadAllBytes(Path.Combine(run.RunFolder, $"{stage}.png"));
        // guidance_scale 0 is the conditional model alone: the same images, to the bit.
        Assert.Equal(metrics["conditional/psnr"], metrics["w0/psnr"]);
        Assert.Equal(metrics["conditional/ssim"], metrics["w0/ssim"]);
        Assert.Equal(Grid("conditional"), Grid("w0"));
        // w = 3 steers each image towards its caption: other images, with the known pixels still kept exactly.
        Assert.NotEqual(metrics["conditional/psnr"], metrics["guided/psnr"]);
        Assert.NotEqual(Grid("conditional"), Grid("guided"));
        Assert.Equal(0, metrics["guided/known_max_error"]);
        // A prompt works as the condition too.
        Assert.NotEqual(Grid("guided"), Grid("prompted"));
        Assert.Equal(0, metrics["prompted/known_max_error"]);
    }
}
