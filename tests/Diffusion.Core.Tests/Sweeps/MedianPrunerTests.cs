using Diffusion.Core.Sweeps;

namespace Diffusion.Core.Tests.Sweeps;

public sealed class MedianPrunerTests
{
    private static readonly MedianPrunerSpec Minimize = new("loss", false, WarmupSteps: 2, StartupTrials: 2);

    private static readonly IReadOnlyList<IReadOnlyList<(long, double)>> Completed =
    [
        [(1, 1.0), (2, 0.8), (3, 0.6)],
        [(1, 1.0), (2, 0.6), (3, 0.5)],
        [(1, 1.0), (2, 0.4), (4, 0.3)],
    ];

    [Fact]
    public void A_trial_worse_than_the_median_at_its_step_is_pruned()
    {
        var reason = MedianPruner.ShouldPrune(Minimize, [(1, 1.0), (2, 0.9)], Completed);

        Assert.Equal("pruned at step 2: best loss so far 0.9 is worse than the median 0.6 of 3 completed trials at that step", reason);
    }

    [Fact]
    public void A_trial_at_or_better_than_the_median_goes_on()
    {
        Assert.Null(MedianPruner.ShouldPrune(Minimize, [(1, 1.0), (2, 0.6)], Completed));
        // Its best so far counts, not its latest value.
        Assert.Null(MedianPruner.ShouldPrune(Minimize, [(1, 0.5), (2, 0.9)], Completed));
    }

    [Fact]
    public void Completed_trials_are_read_at_their_last_step_before_the_trials_step()
    {
        // At step 3 the third trial has no value; its step-2 value stands in: median of 0.6, 0.5 and 0.4.
        Assert.Contains("median 0.5 ", MedianPruner.ShouldPrune(Minimize, [(3, 0.55)], Completed));
    }

    [Fact]
    public void Nothing_is_pruned_before_the_warmup_or_with_too_few_completed_trials()
    {
        Assert.Null(MedianPruner.ShouldPrune(Minimize, [(1, 9.0)], Completed));
        Assert.Null(MedianPruner.ShouldPrune(Minimize, [(2, 9.0)], Completed.Take(1).ToList()));
        Assert.Null(MedianPruner.ShouldPrune(Minimize, [], Completed));
    }

    [Fact]
    public void Maximizing_flips_the_comparison_and_nan_only_trials_are_pruned()
    {
        var maximize = Minimize with { Maximize = true };
        Assert.Null(MedianPruner.ShouldPrune(maximize, [(2, 0.9)], Completed));
        Assert.NotNull(MedianPruner.ShouldPrune(maximize, [(2, 0.5)], Completed));
        Assert.Equal("pruned at step 3: every value of loss so far is NaN", MedianPruner.ShouldPrune(Minimize, [(2, double.NaN), (3, double.NaN)], Completed));
    }
}
