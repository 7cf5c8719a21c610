namespace Diffusion.PostProcessing.Image;

/// <summary>
/// Imagen's dynamic thresholding: per sample, s = max(1, the percentile p of |x|); x is clipped to [−s, s] and divided
/// by s, so the result lies in [−1, 1] and saturated samples are pulled in rather than flattened.
/// </summary>
[Plugin(PluginKind.PostProcessor, "dynamic-threshold", Options = typeof(DynamicThresholdOptions), Description = "Imagen dynamic thresholding: s = max(1, percentile of |x|) per sample; clip to [-s, s], divide by s.")]
public sealed class DynamicThresholdPostProcessor(DynamicThresholdOptions options) : IPostProcessor
{
    /// <inheritdoc />
    public Tensor Process(Tensor samples, IRunContext context)
    {
        using var scope = NewDisposeScope();
        long b = samples.shape[0];
        var flat = samples.to_type(ScalarType.Float32).reshape(b, -1);
        var s = Percentile(flat.abs(), options.Percentile).clamp_min(1.0).unsqueeze(1);
        var result = (flat.clamp(-s, s) / s).reshape(samples.shape).to_type(samples.dtype);
        return scope.MoveToOuter(result);
    }

    /// <summary>The p-quantile of each row, interpolated linearly between order statistics (as NumPy's default).</summary>
    internal static Tensor Percentile(Tensor rows, double p)
    {
        var sorted = rows.sort(dim: 1).Values;
        long n = rows.shape[1];
        double position = p * (n - 1);
        long lower = (long)Math.Floor(position), upper = Math.Min(lower + 1, n - 1);
        double fraction = position - lower;
        return sorted.select(1, lower) * (1 - fraction) + sorted.select(1, upper) * fraction;
    }
}
