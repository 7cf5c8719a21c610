using System.ComponentModel.DataAnnotations;
using Diffusion.Abstractions.Runs;
using Diffusion.Core.Stages;
using Diffusion.Tracking;
using static TorchSharp.torch;

namespace Diffusion.Core.Tests.Training;

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
        var options = new TrainStageOptions { Model = "m", Data = "d", Scheduler = "s", LowResScale = scale };
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
}
