using Diffusion.Modalities.Image.Restoration;

namespace Diffusion.Plugins.Tests.Restoration;

public class RePaintTests
{
    [Fact]
    public void Levels_span_the_schedule_evenly()
    {
        var levels = RePaint.Levels(1000, 4);

        Assert.Equal(new[] { 0, 333, 666, 999 }, levels);
        Assert.Equal(Enumerable.Range(0, 20).ToArray(), RePaint.Levels(20, 50));
        Assert.Equal(new[] { 999 }, RePaint.Levels(1000, 1));
    }

    [Fact]
    public void Without_resampling_the_path_goes_straight_down()
    {
        Assert.Equal(new[] { 4, 3, 2, 1, 0, -1 }, RePaint.Path(5, 2, 1));
    }

    [Fact]
    public void Resampling_jumps_back_up_jump_length_levels_until_each_stretch_is_done_n_times()
    {
        var path = RePaint.Path(5, jumpLength: 2, jumpNSample: 2);

        Assert.Equal(new[] { 4, 3, 2, 3, 4, 3, 2, 1, 0, 1, 2, 1, 0, -1 }, path);
        Assert.Equal(9, RePaint.Evaluations(path));
        Assert.All(path.Zip(path.Skip(1)), p => Assert.Equal(1, Math.Abs(p.First - p.Second)));
    }

    [Fact]
    public void More_samples_per_jump_revisit_each_stretch_more_often()
    {
        var path = RePaint.Path(11, jumpLength: 5, jumpNSample: 3);

        // 11 steps straight down (the last one to the clean image), plus two extra passes over each of the two stretches
        // of 5 levels (10 down to 5, 5 down to 0).
        Assert.Equal(11 + 2 * 2 * 5, RePaint.Evaluations(path));
        Assert.Equal(-1, path[^1]);
    }

    [Fact]
    public void An_oracle_denoiser_restores_the_image_and_keeps_known_pixels_exact()
    {
        using var scope = NewDisposeScope();
        var schedule = NoiseSchedule.Create(BetaSchedule.Linear, 100, 1e-4, 0.02, PredictionType.Sample);
        var truth = rand(3, 1, 12, 12) * 2 - 1;
        var mask = InpaintMasks.Box(3, 12, 12, 2, 3, 6, 5);
        // A model that predicts x0 always answers the truth: the trivially solvable case.
        using var context = new FakeSamplingContext(schedule, 10, (x, t) => truth.expand_as(x).clone());

        var result = RePaint.Run(truth, mask, context, jumpLength: 3, jumpNSample: 3, clip: true);

        Assert.True(result.allclose(truth, rtol: 0, atol: 1e-5));
        var keep = mask.expand_as(truth) > 0.5;
        Assert.True(result.masked_select(keep).equal(truth.masked_select(keep)).all().item<bool>());
        Assert.Equal(RePaint.Path(10, 3, 3).Count - 1, context.Progress.Count);
        Assert.Equal(RePaint.Evaluations(RePaint.Path(10, 3, 3)), context.Timesteps.Count);
    }

    [Fact]
    public void Known_pixels_come_out_exact_whatever_the_model_says()
    {
        using var scope = NewDisposeScope();
        var schedule = NoiseSchedule.Create(BetaSchedule.Cosine, 50, 1e-4, 0.02, PredictionType.Epsilon);
        var truth = rand(2, 1, 12, 12) * 2 - 1;
        var mask = InpaintMasks.Half(2, 12, 12);
        using var context = new FakeSamplingContext(schedule, 8, (x, t) => (x * 0.7).sin());

        var result = RePaint.Run(truth, mask, context, jumpLength: 2, jumpNSample: 4, clip: false);

        var keep = mask.expand_as(truth) > 0.5;
        Assert.True(result.masked_select(keep).equal(truth.masked_select(keep)).all().item<bool>());
        Assert.False(result.masked_select(keep.logical_not()).allclose(truth.masked_select(keep.logical_not())));
    }

    [Fact]
    public void The_same_noise_gives_the_same_result()
    {
        using var scope = NewDisposeScope();
        var schedule = NoiseSchedule.Create(BetaSchedule.Linear, 40, 1e-4, 0.02, PredictionType.Epsilon);
        var truth = rand(2, 1, 12, 12) * 2 - 1;
        var mask = InpaintMasks.Box(2, 12, 12, 0, 0, 6, 12);
        Tensor Once()
        {
            using var context = new FakeSamplingContext(schedule, 6, (x, t) => x * 0.1, seed: 9);
            return RePaint.Run(truth, mask, context, 2, 2, clip: true);
        }

        Assert.True(Once().equal(Once()).all().item<bool>());
    }
}
