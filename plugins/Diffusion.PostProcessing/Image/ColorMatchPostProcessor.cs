using Diffusion.Abstractions.Modalities;

namespace Diffusion.PostProcessing.Image;

/// <summary>Matches the colour statistics of each sample, per channel, to the dataset's training images.</summary>
[Plugin(PluginKind.PostProcessor, "color-match", Options = typeof(ColorMatchOptions), Description = "Matches each sample's per-channel colour statistics (mean/std or histogram) to the training images.")]
public sealed class ColorMatchPostProcessor(ColorMatchOptions options) : IPostProcessor
{
    private const int ReferenceQuantiles = 1024;

    /// <inheritdoc />
    public Tensor Process(Tensor samples, IRunContext context)
    {
        using var data = context.Component<IModality>(options.Data).Load(DataSplit.Train);
        return Match(samples, data.Items, options.Mode, options.Strength);
    }

    /// <summary>Matches <paramref name="samples"/> [B, C, H, W] to the per-channel statistics of <paramref name="reference"/> [N, C, H, W].</summary>
    internal static Tensor Match(Tensor samples, Tensor reference, ColorMatchMode mode, double strength)
    {
        if (samples.dim() != 4 || reference.dim() != 4 || samples.shape[1] != reference.shape[1])
            throw new PluginInputException($"color-match needs images [B, C, H, W] with the reference's channel count; got samples [{string.Join(", ", samples.shape)}] and reference [{string.Join(", ", reference.shape)}]");
        using var scope = NewDisposeScope();
        long b = samples.shape[0], c = samples.shape[1];
        var x = samples.to_type(ScalarType.Float32).reshape(b, c, -1);
        var r = reference.to_type(ScalarType.Float32).to(samples.device).transpose(0, 1).reshape(c, -1); // [C, N·H·W]
        Tensor matched;
        if (mode == ColorMatchMode.MeanStd)
        {
            var mean = x.mean([2], keepdim: true);
            var std = x.std(2, keepdim: true, unbiased: false).clamp_min(1e-6);
            matched = (x - mean) / std * r.std(1, keepdim: true, unbiased: false).unsqueeze(0) + r.mean([1], keepdim: true).unsqueeze(0);
        }
        else
        {
            // Reference quantiles per channel, then each sample value takes the quantile of its rank.
            long n = x.shape[2];
            var levels = linspace(0, 1, ReferenceQuantiles, device: samples.device);
            var sortedRef = r.sort(dim: 1).Values;
            var refQuantiles = sortedRef.index_select(1, (levels * (sortedRef.shape[1] - 1)).round().to_type(ScalarType.Int64)); // [C, Q]
            var ranks = x.argsort(dim: 2).argsort(dim: 2).to_type(ScalarType.Float32) / Math.Max(n - 1, 1); // [B, C, n] in [0, 1]
            var position = ranks * (ReferenceQuantiles - 1);
            var lower = position.floor().to_type(ScalarType.Int64);
            var upper = (lower + 1).clamp_max(ReferenceQuantiles - 1);
            var fraction = position - lower.to_type(ScalarType.Float32);
            var table = refQuantiles.unsqueeze(0).expand(b, c, ReferenceQuantiles);
            matched = table.gather(2, lower) * (1 - fraction) + table.gather(2, upper) * fraction;
        }
        var blended = x + strength * (matched - x);
        return scope.MoveToOuter(blended.reshape(samples.shape).to_type(samples.dtype));
    }
}
