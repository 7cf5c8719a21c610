using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Stages;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace MyPlugin;

/// <summary>Options of <see cref="MyPluginStage"/>: the keys of its entry in <c>stages:</c> besides <c>name</c> and <c>type</c>.</summary>
public sealed class MyPluginOptions : IValidatableObject
{
    /// <summary>Number of equal-width bins between <see cref="Min"/> and <see cref="Max"/>.</summary>
    [Range(1, 10_000), Description("Number of equal-width bins between min and max.")]
    public int Bins { get; set; } = 20;

    /// <summary>Lower edge of the first bin.</summary>
    [Description("Lower edge of the first bin.")]
    public double Min { get; set; } = -1.0;

    /// <summary>Upper edge of the last bin.</summary>
    [Description("Upper edge of the last bin.")]
    public double Max { get; set; } = 1.0;

    /// <summary>Mistakes the options alone decide, reported with the pipeline's file and line before anything runs.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!(Max > Min)) yield return new ValidationResult($"max ({Max}) must be greater than min ({Min})", [nameof(Max)]);
    }
}

/// <summary>
/// A stage to start from: the histogram of the current samples' values (what an earlier sample or postprocess stage
/// left), written as <c>NAME.csv</c> (bin_start, bin_end, count) with the metrics <c>NAME/mean</c>, <c>NAME/std</c> and
/// <c>NAME/outside</c> (the share of values outside [min, max]). Use it in a pipeline as
/// <c>{ name: histogram, type: my-plugin, bins: 10 }</c> after a sample stage.
/// </summary>
[Plugin(PluginKind.Stage, "my-plugin", Options = typeof(MyPluginOptions), Description = "Histogram of the current samples' values: a CSV artifact and metrics.")]
public sealed class MyPluginStage(MyPluginOptions options) : IStage
{
    /// <inheritdoc />
    public void Run(IRunContext context)
    {
        if (context.State.Samples?.Values is not { } samples)
            throw new PluginInputException($"stage '{context.StageName}' needs samples, but no earlier stage produced any: add a sample stage before it");
        using var scope = NewDisposeScope();
        var values = samples.detach().to_type(ScalarType.Float64).flatten().cpu();
        double width = (options.Max - options.Min) / options.Bins;
        var inside = values.ge(options.Min) & values.le(options.Max);
        var bin = ((values.masked_select(inside) - options.Min) / width).floor().to_type(ScalarType.Int64).clamp(0, options.Bins - 1);
        var counts = bin.bincount(null, options.Bins).data<long>().ToArray();
        double outside = 1 - inside.to_type(ScalarType.Float64).mean().item<double>();
        context.Artifacts.Write($"{context.StageName}.csv", "histogram", stream =>
        {
            using var writer = new StreamWriter(stream);
            writer.WriteLine("bin_start,bin_end,count");
            for (int i = 0; i < counts.Length; i++)
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{options.Min + i * width:R},{options.Min + (i + 1) * width:R},{counts[i]}"));
        });
        context.Tracker.LogMetric($"{context.StageName}/mean", values.mean().item<double>(), 0);
        context.Tracker.LogMetric($"{context.StageName}/std", values.std().item<double>(), 0);
        context.Tracker.LogMetric($"{context.StageName}/outside", outside, 0);
        context.Logger.LogInformation("{Stage}: histogram of {Count} values in {Bins} bins, {Outside:P1} outside [{Min}, {Max}]",
            context.StageName, values.numel(), options.Bins, outside, options.Min, options.Max);
    }
}
