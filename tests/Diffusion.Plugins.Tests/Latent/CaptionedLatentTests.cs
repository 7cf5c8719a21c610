using Diffusion.Abstractions.Checkpoints;
using Diffusion.Modalities.CrossModal.TextToImage;
using Diffusion.Modalities.Image.Latent;
using Diffusion.Plugins.Tests.Compression;
using Diffusion.Plugins.Tests.TextToImage;
using Microsoft.Extensions.DependencyInjection;

namespace Diffusion.Plugins.Tests.Latent;

/// <summary>
/// Text-conditioned latent diffusion (captioned-latent): the latents keep the captions' tokens and the prompt encoding of
/// the captioned modality, and a text-conditioned UNet trains on them and samples with classifier-free guidance.
/// </summary>
public class CaptionedLatentTests
{
    [Fact]
    public void Latents_keep_the_caption_tokens_and_prompts_of_the_captioned_images()
    {
        using var scope = NewDisposeScope();
        var captioned = new CaptionedImageModality(new CaptionedImageOptions { ImageSize = 16, Count = 24 });
        var services = new ServiceCollection().AddKeyedSingleton<object>("captions", captioned).BuildServiceProvider();
        var latent = new CaptionedLatentModality(new CaptionedLatentModalityOptions { Images = "captions", BaseChannels = 8 }, services);
        manual_seed(1);
        latent.Use(new TrainedAutoencoder(latent.CreateNetwork(), 1.0));

        using var images = captioned.Load(DataSplit.Train);
        using var latents = latent.Load(DataSplit.Train);

        Assert.Equal([4L, 4, 4], latent.Spec.ItemShape);
        Assert.Equal(captioned.Spec.ConditionVocabSize, latent.Spec.ConditionVocabSize);
        Assert.Equal(captioned.Spec.ConditionLength, latent.Spec.ConditionLength);
        Assert.Equal([images.Count, 4L, 4, 4], latents.Items.shape);
        Assert.True(images.ConditionTokens!.equal(latents.ConditionTokens!).all().item<bool>());
        Assert.Equal(images.ConditionTexts, latents.ConditionTexts);
        Assert.Equal(captioned.ClassPrompt(5), latent.ClassPrompt(5));
        Assert.True(captioned.EncodePrompts(["a large red circle at the top left"]).equal(latent.EncodePrompts(["a large red circle at the top left"])).all().item<bool>());
    }

    [Fact]
    public void A_text_conditioned_model_trains_on_latents_and_samples_with_guidance()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "pipeline.yaml");
        File.WriteAllText(path, """
            name: captioned-latent
            seed: 2
            components:
              captions: { plugin: captioned-image, dataset: shapes, image_size: 16, count: 48, metrics: [fd-pixels] }
              data: { plugin: captioned-latent, images: captions, latent_channels: 4, downsample: 4, base_channels: 8 }
              model: { plugin: unet2d, base_channels: 8, groups: 4, num_heads: 2, channel_mults: [1, 2], attention_resolutions: [4], context_dim: 16, text_encoder_layers: 1, text_encoder_width: 16, text_encoder_heads: 2 }
              noise: { plugin: flow-euler }
            stages:
              - { name: autoencoder, type: train-autoencoder, data: data, steps: 2, batch_size: 4, eval_items: 4, scale_items: 16, checkpoint_every: 0 }
              - { name: train, type: train, model: model, data: data, sampler: noise, steps: 3, batch_size: 4, cond_dropout: 0.2, checkpoint_every: 0 }
              - { name: sample-w0, type: sample, model: model, sampler: noise, data: data, count: 2, steps: 2, prompts: ["a large red circle at the top left", "a small blue square in the center"] }
              - { name: sample-cfg, type: sample, model: model, sampler: noise, data: data, count: 2, steps: 2, guidance_scale: 3, prompts: ["a large red circle at the top left", "a small blue square in the center"] }
            """);

        var run = PipelineRun.Run(folder, path);

        Assert.True(run.Status == RunStatus.Completed, run.Message);
        var metrics = PipelineRun.Metrics(folder, run);
        Assert.Equal(3.0, metrics["sample-cfg/guidance_scale"]);
        var (plain, _) = SafeTensors.Read(Path.Combine(run.RunFolder, "sample-w0.safetensors"));
        var (guided, _) = SafeTensors.Read(Path.Combine(run.RunFolder, "sample-cfg.safetensors"));
        Assert.Equal([2L, 3, 16, 16], guided["samples"].shape); // decoded RGB images
        Assert.False(plain["samples"].allclose(guided["samples"]), "guidance towards the prompts changed nothing");
        Assert.Equal(["a large red circle at the top left", "a small blue square in the center"],
            PromptsFile.Read(Path.Combine(run.RunFolder, "sample-cfg.prompts.txt")));
        var (weights, _) = SafeTensors.Read(Path.Combine(run.RunFolder, "checkpoints", "train", "step-00000003", "model.safetensors"));
        Assert.Contains(weights.Keys, k => k.Contains("text", StringComparison.OrdinalIgnoreCase));
    }
}
