using Diffusion.Core.Pipelines;
using Diffusion.Core.Plugins;
using Diffusion.Core.Runs;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diffusion.Bench.Training;

/// <summary>The quickstart pipeline, loaded as the CLI loads it, and run into a scratch tracking database.</summary>
internal static class Quickstart
{
    public static PipelineSpec Load(string path, string[] overrides)
    {
        var document = PipelineLoader.Load(path, overrides);
        return PipelineBinder.Bind(document, PluginDiscovery.Discover(PluginSource.Defaults(document.PluginFolders)));
    }

    /// <summary>Runs <paramref name="spec"/> until the train stage ends (the clock cancels the run when the next stage starts).</summary>
    public static RunResult RunTraining(PipelineSpec spec, string scratch, Func<CancellationTokenSource, StepClock> clock, out StepClock used)
    {
        using var cancel = new CancellationTokenSource();
        used = clock(cancel);
        var runner = new PipelineRunner(NullLogger.Instance, used);
        return runner.Run(new RunRequest(spec, Path.Combine(scratch, "tracking.db"), scratch), cancel.Token);
    }

    public static string Scratch()
    {
        string folder = Path.Combine(Path.GetTempPath(), "diffusion-bench-training-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        return folder;
    }
}
