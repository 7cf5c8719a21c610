using Diffusion.Tracking;

namespace Diffusion.Ui;

/// <summary>
/// A metric's history made small enough to draw: optionally smoothed (an exponential moving average over every
/// point, as TensorBoard does), then cut to at most about <c>2 x buckets</c> points by keeping the smallest and the
/// largest value of each run of consecutive points (so spikes survive), and always the first and the last point.
/// </summary>
internal static class MetricSeries
{
    /// <summary>The indices of the points to keep, in order.</summary>
    public static List<int> Downsample(IReadOnlyList<double> values, int buckets)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        var count = values.Count;
        if (count <= 2 * buckets)
        {
            return Enumerable.Range(0, count).ToList();
        }

        var kept = new List<int>(2 * buckets + 2) { 0 };
        for (var b = 0; b < buckets; b++)
        {
            var start = Math.Max(1, (int)((long)b * count / buckets));
            var end = Math.Min(count - 1, (int)((long)(b + 1) * count / buckets));
            int min = -1, max = -1;
            for (var i = start; i < end; i++)
            {
                var v = values[i];
                if (double.IsNaN(v)) continue;
                if (min < 0 || v < values[min]) min = i;
                if (max < 0 || v > values[max]) max = i;
            }

            if (min < 0) continue;
            kept.Add(Math.Min(min, max));
            if (max != min) kept.Add(Math.Max(min, max));
        }

        kept.Add(count - 1);
        return kept;
    }

    /// <summary>The exponential moving average with weight <paramref name="smoothing"/> (0: none, 0.99: heavy), debiased at the start; NaN points pass through.</summary>
    public static double[] Smooth(IReadOnlyList<double> values, double smoothing)
    {
        var result = new double[values.Count];
        double average = 0, weight = 0;
        for (var i = 0; i < values.Count; i++)
        {
            var v = values[i];
            if (double.IsNaN(v) || double.IsInfinity(v))
            {
                result[i] = v;
                continue;
            }

            average = (smoothing * average) + ((1 - smoothing) * v);
            weight = (smoothing * weight) + (1 - smoothing);
            result[i] = average / weight;
        }

        return result;
    }

    /// <summary>The series as the API sends it: steps, values and seconds since <paramref name="start"/>, each an array.</summary>
    public static object Shape(IReadOnlyList<MetricPoint> points, DateTimeOffset start, int buckets, double smoothing)
    {
        var raw = points.Select(p => p.Value).ToArray();
        var values = smoothing > 0 ? Smooth(raw, smoothing) : raw;
        var kept = Downsample(values, buckets);
        return new
        {
            total = points.Count,
            lastStep = points.Count > 0 ? points[^1].Step : (long?)null,
            steps = kept.Select(i => points[i].Step).ToArray(),
            values = kept.Select(i => values[i]).ToArray(),
            seconds = kept.Select(i => Math.Round((points[i].Time - start).TotalSeconds, 3)).ToArray(),
        };
    }
}
