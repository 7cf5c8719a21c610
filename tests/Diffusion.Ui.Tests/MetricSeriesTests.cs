namespace Diffusion.Ui.Tests;

public sealed class MetricSeriesTests
{
    [Fact]
    public void A_long_series_keeps_its_ends_and_every_bucket_extreme_in_order()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 50_000).Select(i => Math.Exp(-i / 10_000.0) + (0.01 * random.NextDouble())).ToList();
        values[12_345] = 9; // a spike
        values[40_000] = -3; // a dip

        var kept = MetricSeries.Downsample(values, 500);

        Assert.InRange(kept.Count, 900, 1002);
        Assert.Equal(0, kept[0]);
        Assert.Equal(values.Count - 1, kept[^1]);
        Assert.Equal(kept.Order(), kept);
        Assert.Equal(kept.Count, kept.Distinct().Count());
        Assert.Contains(12_345, kept);
        Assert.Contains(40_000, kept);
        // Every bucket's min and max survive, so the drawn band is the true band.
        for (var b = 0; b < 500; b++)
        {
            var start = Math.Max(1, b * 100);
            var end = Math.Min(values.Count - 1, (b + 1) * 100);
            var bucket = Enumerable.Range(start, end - start).ToList();
            Assert.Contains(bucket.MinBy(i => values[i]), kept);
            Assert.Contains(bucket.MaxBy(i => values[i]), kept);
        }
    }

    [Fact]
    public void A_short_series_is_kept_whole()
    {
        Assert.Equal([0, 1, 2, 3, 4], MetricSeries.Downsample([5, 4, 3, 2, 1], 10));
    }

    [Fact]
    public void Nan_points_are_never_a_bucket_extreme()
    {
        var values = Enumerable.Range(0, 100).Select(i => i % 2 == 0 ? double.NaN : i).ToList();
        var kept = MetricSeries.Downsample(values, 10);
        Assert.All(kept.Skip(1).SkipLast(1), i => Assert.False(double.IsNaN(values[i])));
    }

    [Fact]
    public void Smoothing_is_a_debiased_exponential_moving_average()
    {
        double[] values = [1, 2, double.NaN, 4];

        var smoothed = MetricSeries.Smooth(values, 0.5);

        // Debiased: (0.5*1)/0.5 = 1; then (0.25 + 1)/(0.75) = 5/3; NaN passes; then (0.625 + 2)/0.875 = 3.
        Assert.Equal(1, smoothed[0], 12);
        Assert.Equal(5.0 / 3, smoothed[1], 12);
        Assert.True(double.IsNaN(smoothed[2]));
        Assert.Equal(3, smoothed[3], 12);
        Assert.Equal(values.Where(v => !double.IsNaN(v)), MetricSeries.Smooth(values, 0).Where(v => !double.IsNaN(v)));
    }
}
