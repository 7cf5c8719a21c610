using System.Text.Json;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Stages;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Example.SampleStats;

/// <summary>
/// A third-party stage: reads the current samples from the run state (<see cref="StageState.Samples"/>), logs the
/// per-channel mean and standard deviation and the fraction of values outside [-limit, limit] as metrics
/// <c>STAGE/mean_cK</c>, <c>STAGE/std_cK</c> and <c>STAGE/outside_fraction</c>, writes them to <c>STAGE.json</c>, and
/// keeps them in the run state under <see cref="StateKey"/> for a later stage of the same plugin. A sampler or
/// post-processor that drifts out of the data range shows here before it shows in a metric.
/// </summary>
[Plugin(PluginKind.Stage, "sample-stats", Options = typeof(SampleStatsOptions),
    Description = "Per-channel mean/std of the current samples and the fraction outside [-limit, limit]: metrics and a JSON artifact.")]
public sealed class SampleStatsStage(SampleStatsOptions options) : IStage
{
    /// <summary>The run-state key of the <see cref="SampleStatistics"/> this stage leaves.</summary>
    public const string StateKey = "sample-stats";

    /// <inheritdoc />
    public void Run(IRunContext context)
    {
        var samples = context.State.Samples?.Values
            ?? throw new PluginInputException($"stage '{context.StageName}' summarises samples, but no earlier stage produced any: add a sample stage before it");
        if (!samples.is_floating_point())
            throw new PluginInputException($"stage '{context.StageName}' summarises continuous samples, but the current ones are {samples.dtype} (tokens?)");

        var statistics = Summarise(samples);
        for (int c = 0; c < statistics.Mean.Length; c++)
        {
            context.Tracker.LogMetric($"{context.StageName}/mean_c{c}", statistics.Mean[c], 0);
            context.Tracker.LogMetric($"{context.StageName}/std_c{c}", statistics.Std[c], 0);
        }
        context.Tracker.LogMetric($"{context.StageName}/outside_fraction", statistics.OutsideFraction, 0);
        context.Artifacts.Write($"{context.StageName}.json", "sample-stats",
            stream => JsonSerializer.Serialize(stream, statistics, new JsonSerializerOptions { WriteIndented = true }));
        context.State.Set(StateKey, statistics);
        context.Logger.LogInformation("{Stage}: {Count} samples, channel means [{Mean}], {Outside:P2} outside ±{Limit}",
            context.StageName, statistics.Count, string.Join(", ", statistics.Mean.Select(m => m.ToString("0.###"))), statistics.OutsideFraction, options.Limit);
    }

    private SampleStatistics Summarise(Tensor samples)
    {
        using var scope = NewDisposeScope();
        var x = samples.detach().to_type(ScalarType.Float64);
        long channels = x.dim() >= 3 ? x.shape[1] : 1;
        var perChannel = channels > 1 ? x.transpose(0, 1).reshape(channels, -1) : x.reshape(1, -1);
        var mean = perChannel.mean([1]);
        var std = (perChannel - mean.unsqueeze(1)).square().mean([1]).sqrt();
        double outside = x.abs().gt(options.Limit).to_type(ScalarType.Float64).mean().item<double>();
        return new SampleStatistics(x.shape[0], x.shape, mean.data<double>().ToArray(), std.data<double>().ToArray(), options.Limit, outside);
    }
}
