namespace Diffusion.Tracking.Tests;

public sealed class MetricGoalsTests
{
    [Theory]
    [InlineData("train/loss", false)]
    [InlineData("eval/fd-pixels", false)]
    [InlineData("eval/kid", false)]
    [InlineData("eval/denoise_loss", false)]
    [InlineData("stage/train/seconds", false)]
    [InlineData("eval/accuracy", true)]
    [InlineData("eval/prompt_accuracy_w2", true)]
    [InlineData("eval/psnr", true)]
    [InlineData("eval/ssim", true)]
    [InlineData("eval/precision", true)]
    [InlineData("eval/recall", true)]
    [InlineData("train/steps_per_second", true)]
    [InlineData("sample/samples_per_second", true)]
    [InlineData("my/score", false)]
    public void Direction_follows_the_metrics_name(string key, bool higherIsBetter) =>
        Assert.Equal(higherIsBetter, MetricGoals.IsHigherBetter(key));

    [Theory]
    [InlineData("eval/distinct_2", true)]
    [InlineData("eval/recall", false)]
    [InlineData("eval/fd", false)]
    public void A_declared_goal_wins_over_the_name(string key, bool higherIsBetter)
    {
        var declared = new Dictionary<string, bool> { ["distinct_2"] = true, ["recall"] = false };
        Assert.Equal(higherIsBetter, MetricGoals.IsHigherBetter(key, declared));
    }
}
