using Diffusion.Abstractions.Checkpoints;
using Diffusion.Modalities.Image;
using Diffusion.Modalities.Image.Latent;
using Xunit.Abstractions;

namespace Diffusion.Plugins.Tests.Latent;

/// <summary>
/// The KL autoencoder of the latent modality at tiny size: latent shapes for f = 4 and 8, reconstruction that improves
/// with training, latents of unit variance after the scaling factor, and a checkpoint that reloads to the same latents.
/// </summary>
public class AutoencoderTests(ITestOutputHelper output)
{
    private static LatentModalityOptions Options(int downsample = 4) => new()
    {
        Dataset = ImageDataset.Shapes, ImageSize = 16, Count = 96, LatentChannels = 3, Downsample = downsample, BaseChannels = 8,
        Metrics = [ImageMetrics.FdPixels],
    };

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    public void The_latent_has_c_by_h_over_f_by_w_over_f_and_decodes_to_the_image_shape(int downsample)
    {
        using var scope = NewDisposeScope();
        var modality = new LatentModality(Options(downsample));
        Assert.Equal([3L, 16 / downsample, 16 / downsample], modality.Spec.ItemShape);
        Assert.Equal("image", modality.Spec.Kind);
        Assert.Equal(16.0 * 16 / (3.0 * (16 / downsample) * (16 / downsample)), modality.CompressionFactor, 9);
        manual_seed(1);
        using var network = modality.CreateNetwork();
        var x = rand(2, 1, 16, 16) * 2 - 1;
        var (mean, logVar) = network.Encode(x);
        Assert.Equal([2L, 3, 16 / downsample, 16 / downsample], mean.shape);
        Assert.Equal(mean.shape, logVar.shape);
        Assert.Equal(x.shape, network.Decode(mean).shape);
        // Every normalisation starts at weight 1, bias 0 (TorchSharp leaves GroupNorm's uninitialised).
        foreach (var (name, p) in network.named_parameters().Where(p => p.name.Contains("norm", StringComparison.OrdinalIgnoreCase)))
            Assert.True(p.equal(name.EndsWith("weight", StringComparison.Ordinal) ? ones_like(p) : zeros_like(p)).all().item<bool>(), name);
    }

    [Fact]
    public void Without_an_autoencoder_the_modality_says_how_to_get_one()
    {
        var modality = new LatentModality(Options());
        var error = Assert.Throws<PluginInputException>(() => modality.Load(DataSplit.Train));
        Assert.Contains("train-autoencoder", error.Message);
    }

    [Fact]
    public void Training_improves_reconstruction_and_the_scaled_latents_have_unit_variance()
    {
        using var scope = NewDisposeScope();
        double Train(int steps, out LatentModality modality, out FakeRunContext context)
        {
            context = new FakeRunContext(seed: 3) { StageName = "ae" };
            modality = new LatentModality(Options());
            context.Components["latents"] = modality;
            new TrainAutoencoderStage(new TrainAutoencoderStageOptions { Data = "latents", Steps = steps, BatchSize = 8, Lr = 3e-3, EvalItems = 32, CheckpointEvery = 0 }).Run(context);
            return context.Tracker.Metrics["ae/psnr"];
        }

        double untrained = Train(1, out var first, out var firstContext);
        double trained = Train(80, out var modality, out var context);
        using (firstContext) first.Dispose();
        using (context)
        {
            output.WriteLine($"held-out PSNR after 1 step {untrained:0.00} dB, after 80 steps {trained:0.00} dB; SSIM {context.Tracker.Metrics["ae/ssim"]:0.000}");
            Assert.True(trained > untrained + 4, $"PSNR {untrained} -> {trained}");
            Assert.True(context.Tracker.Metrics.ContainsKey("ae/recon-fd-pixels"));
            Assert.Contains(context.Artifacts.Recorded, a => a.Path.EndsWith("ae-reconstruction.png", StringComparison.Ordinal));

            // diffusers' scaling factor: 1/std of the training latents, so the diffusion model sees unit variance.
            using var train = modality.Load(DataSplit.Train);
            Assert.Equal([96L, 3, 4, 4], train.Items.shape);
            Assert.Equal(1.0, train.Items.std().item<float>(), 2);
            Assert.NotNull(train.Labels);

            // The checkpoint (safetensors with the factor in its header) reloads to the same latents.
            string path = Path.Combine(context.Artifacts.Root, "checkpoints", "ae", "step-00000080", "autoencoder.safetensors");
            var (_, metadata) = SafeTensors.Read(path);
            Assert.Equal(modality.Autoencoder.ScalingFactor, double.Parse(metadata["scaling_factor"], System.Globalization.CultureInfo.InvariantCulture));
            var options = Options();
            options.AutoencoderWeights = path;
            using var reloaded = new LatentModality(options);
            using var again = reloaded.Load(DataSplit.Train);
            Assert.True(again.Items.allclose(train.Items, rtol: 0, atol: 1e-5));
            modality.Dispose();
        }
    }
}
