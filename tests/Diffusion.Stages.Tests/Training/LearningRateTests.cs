using Diffusion.Stages.Training;

namespace Diffusion.Stages.Tests.Training;

public class LearningRateTests
{
    [Fact]
    public void Warm_up_rises_linearly_to_the_peak_then_stays_there_by_default()
    {
        var lr = new LearningRate(0.1, WarmupSteps: 4, LrSchedule.Constant, MinLr: 0, TotalSteps: 100);

        Assert.Equal([0.025, 0.05, 0.075, 0.1, 0.1, 0.1], new long[] { 0, 1, 2, 3, 4, 99 }.Select(lr.At).Select(v => Math.Round(v, 12)));
    }

    [Fact]
    public void Cosine_decays_from_the_peak_to_min_lr_after_warm_up()
    {
        var lr = new LearningRate(1.0, WarmupSteps: 10, LrSchedule.Cosine, MinLr: 0.1, TotalSteps: 110);

        Assert.Equal(1.0, lr.At(9), 12);
        Assert.Equal(1.0, lr.At(10), 12);
        Assert.Equal(0.55, lr.At(60), 12); // half way: the mean of peak and floor
        Assert.InRange(lr.At(109), 0.1, 0.1003);
        var decay = Enumerable.Range(10, 100).Select(s => lr.At(s)).ToArray();
        Assert.True(decay.Zip(decay.Skip(1)).All(p => p.Second < p.First), "strictly decreasing");
    }

    [Fact]
    public void Cosine_without_warm_up_starts_at_the_peak()
    {
        var lr = new LearningRate(2.0, WarmupSteps: 0, LrSchedule.Cosine, MinLr: 0, TotalSteps: 4);

        double[] expected = [2.0, 1 + Math.Sqrt(0.5), 1.0, 1 - Math.Sqrt(0.5)];
        Assert.Equal(expected.Select(v => Math.Round(v, 12)), Enumerable.Range(0, 4).Select(s => Math.Round(lr.At(s), 12)));
    }
}
