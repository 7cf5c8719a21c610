namespace Diffusion.PostProcessing.Image;

/// <summary>Resizes images to height × width with bilinear, bicubic or Lanczos-3 resampling (pixel centres aligned, edges replicated).</summary>
[Plugin(PluginKind.PostProcessor, "resize", Options = typeof(ResizeOptions), Description = "Resizes images (bilinear, bicubic or lanczos).")]
public sealed class ResizePostProcessor(ResizeOptions options) : IPostProcessor
{
    /// <inheritdoc />
    public Tensor Process(Tensor samples, IRunContext context) => Filters.On4d(samples, x =>
    {
        long height = options.Height, width = options.Width > 0 ? options.Width : options.Height;
        if (options.Mode == ResizeMode.Lanczos)
        {
            using var scope = NewDisposeScope();
            var rows = LanczosMatrix(x.shape[2], height).to(x.device);   // [H', H]
            var cols = LanczosMatrix(x.shape[3], width).to(x.device);    // [W', W]
            var result = matmul(matmul(rows, x), cols.t());             // [B, C, H', W']
            return scope.MoveToOuter(result.contiguous());
        }
        var mode = options.Mode == ResizeMode.Bilinear ? InterpolationMode.Bilinear : InterpolationMode.Bicubic;
        return nn.functional.interpolate(x, size: [height, width], mode: mode, align_corners: false);
    }, "resize");

    /// <summary>
    /// The [output, input] matrix of a 1-d Lanczos-3 resampling: output i reads input positions around
    /// (i + 0.5)·in/out − 0.5, weighted by L(d / scale) with scale = max(1, in/out), clamped to the edges and normalised
    /// to sum 1 (so constants stay constant).
    /// </summary>
    internal static Tensor LanczosMatrix(long input, long output)
    {
        const int a = 3;
        double ratio = (double)input / output, scale = Math.Max(1.0, ratio), support = a * scale;
        var matrix = new float[output * input];
        for (long i = 0; i < output; i++)
        {
            double centre = (i + 0.5) * ratio - 0.5;
            long first = (long)Math.Floor(centre - support), last = (long)Math.Ceiling(centre + support);
            double total = 0;
            var row = new double[input];
            for (long j = first; j <= last; j++)
            {
                double w = Lanczos((j - centre) / scale, a);
                if (w == 0) continue;
                row[Math.Clamp(j, 0, input - 1)] += w;
                total += w;
            }
            for (long j = 0; j < input; j++) matrix[i * input + j] = (float)(row[j] / total);
        }
        return tensor(matrix, [output, input]);
    }

    private static double Lanczos(double x, int a)
    {
        if (x == 0) return 1;
        if (Math.Abs(x) >= a) return 0;
        double px = Math.PI * x;
        return a * Math.Sin(px) * Math.Sin(px / a) / (px * px);
    }
}
