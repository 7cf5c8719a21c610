using System.ComponentModel.DataAnnotations;
using Diffusion.Abstractions.Runs;
using Diffusion.Core.Pipelines;
using Diffusion.Core.Plugins;
using Diffusion.Core.Runs;
using Diffusion.Tracking;
using static TorchSharp.torch;

namespace Diffusion.Stages.Tests.Training;

/// <summary>The train stage's SR3 condition (low_res_scale): the image it makes, its options and its errors.</summary>
[Collection(nameof(TrainStageTests))]
public class LowResolutionConditionTests
{
    private const string ConditionedUNet = "{ plugin: unet2d, base_channels: 8, channel_mults: [1, 2], attention_resolutions: [4], groups: 4, extra_in_channels: 1 }";

    [Fact]
    public void Bilinear_x2_averages_blocks_and_interpolates_between_half_pixel_centres()
    {
        using var scope = NewDisposeScope();
        // Columns of 2x2 blocks a = -1, b = 1: x2 gives a, 3a/4 + b/4, a/4 + 3b/4, b along each row (the superres stage
        // of the image plugin makes the same image; its tests check the same numbers).
        var images = tensor(new float[] { -1, -1, 1, 1, -1, -1, 1, 1, -1, -1, 1, 1, -1, -1, 1, 1 }).reshape(1, 1, 4, 4);

        var condition = LowResolutionCondition.Of(images, 2, LowResUpsample.Bilinear);

        Assert.Equal(images.shape, condition.shape);
        Assert.Equal(new float[] { -1, -0.5f, 0.5f, 1 }, condition[0, 0, 1].data<float>().ToArray());
        Assert.Equal("low_res x4 bicubic", LowResolutionCondition.Describe(4, LowResUpsample.Bicubic));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(2, true)]
    [InlineData(4, true)]
    [InlineData(3, false)]
    public void Low_res_scale_is_off_2_or_4(int scale, bool valid)
    {
        var options = new TrainStageOptions { Model = "m", Data = "d", Sampler = "s", LowResScale = scale };
        var results = new List<ValidationResult>();

        Assert.Equal(valid, Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true));
        if (!valid) Assert.Contains("low_res_scale must be 0 (off), 2 or 4", results.Single().ErrorMessage);
    }

    [Fact]
    public void A_model_with_an_extra_channel_trains_on_the_condition()
    {
        using var temp = new TempFolder();

        var run = TrainPipeline.Run(temp, ["stages.train.low_res_scale=2", "stages.train.checkpoint_every=0", "stages.train.steps=2"], ConditionedUNet);

        Assert.True(run.Status == RunStatus.Completed, run.Message);
    }

    [Fact]
    public void A_model_without_the_extra_channel_is_told_to_add_it()
    {
        using var temp = new TempFolder();

        var run = TrainPipeline.Run(temp, ["stages.train.low_res_scale=2", "stages.train.steps=1"]);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains("set extra_in_channels: 1", run.Message);
    }

    [Fact]
    public void A_scale_that_does_not_divide_the_image_is_refused()
    {
        using var temp = new TempFolder();

        var run = TrainPipeline.Run(temp, ["stages.train.low_res_scale=4", "components.data.image_size=10", "stages.train.steps=1"], ConditionedUNet);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains("low_res_scale 4 must divide the image size (10x10)", run.Message);
    }

    [Fact]
    public void Evaluate_feeds_the_condition_to_the_held_out_loss_and_sample_refuses_the_model()
    {
        using var temp = new TempFolder();
        string Pipeline(string last) => $$"""
            name: superres-eval
            seed: 5
            device: cpu
            components:
              data: { plugin: image, dataset: shapes, image_size: 8, count: 16 }
              model: {{ConditionedUNet}}
              noise: { plugin: ddpm, timesteps: 20 }
            stages:
              - { name: train, type: train, model: model, data: data, sampler: noise, steps: 1, batch_size: 4, checkpoint_every: 0, low_res_scale: 2 }
              - {{last}}
            """;

        var evaluated = Run(temp, "eval.yaml", Pipeline("{ name: evaluate, type: evaluate, data: data, model: model, loss_items: 4, loss_timesteps: 1 }"));
        var sampled = Run(temp, "sample.yaml", Pipeline("{ name: sample, type: sample, model: model, sampler: noise, count: 1, steps: 1 }"));

        Assert.True(evaluated.Status == RunStatus.Completed, evaluated.Message);
        using (var store = TrackingStores.Open(TrainPipeline.Database(temp)))
            Assert.True(double.IsFinite(store.MetricHistory(evaluated.RunId, "eval/denoise_loss").Single().Value));
        Assert.Equal(RunStatus.Failed, sampled.Status);
        Assert.Contains("use a superres stage", sampled.Message);
    }

    private static RunResult Run(TempFolder temp, string name, string yaml)
    {
        var document = PipelineLoader.Load(temp.File(name, yaml), []);
        var spec = PipelineBinder.Bind(document, PluginDiscovery.Discover(PluginSource.Defaults(document.PluginFolders)));
        return new PipelineRunner(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, new SilentProgress()).Run(new RunRequest(spec, TrainPipeline.Database(temp), Path.GetDirectoryName(TrainPipeline.Database(temp))!, null), default);
    }
}
