using Diffusion.Core.Pipelines;
using Diffusion.Core.Plugins;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diffusion.Plugins.Tests.Compression;

/// <summary>Runs a pipeline file the way the CLI does, with the first-party plugins from their drop folder.</summary>
internal static class PipelineRun
{
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>A shipped pipeline in pipelines/.</summary>
    public static string Shipped(string name) => Path.Combine(RepoRoot, "pipelines", name);

    public static RunResult Run(TempFolder folder, string path, params string[] overrides) => Run(folder, path, null, overrides);

    public static RunResult Run(TempFolder folder, string path, string? resume, params string[] overrides)
    {
        var spec = Bind(path, overrides);
        var runner = new PipelineRunner(NullLogger.Instance, new NullProgress());
        return runner.Run(new RunRequest(spec, Database(folder), Path.GetDirectoryName(Database(folder))!, resume), CancellationToken.None);
    }

    /// <summary>The pipeline bound against the first-party plugins, as a run binds it (its warnings included).</summary>
    public static PipelineSpec Bind(string path, params string[] overrides)
    {
        var sources = new List<PluginSource> { new(Path.Combine(RepoRoot, "artifacts", "plugins"), "first-party") };
        return PipelineBinder.Bind(PipelineLoader.Load(path, overrides), PluginDiscovery.Discover(sources));
    }

    public static string Database(TempFolder folder) => Path.Combine(folder.Path, "runs", "tracking.db");

    /// <summary>The last value of every metric of a run.</summary>
    public static Dictionary<string, double> Metrics(TempFolder folder, RunResult run)
    {
        using var store = Diffusion.Tracking.TrackingStores.Open(Database(folder));
        return store.FindRun(run.RunId)!.Metrics.ToDictionary(m => m.Key, m => m.Last, StringComparer.Ordinal);
    }

    /// <summary>Overrides that shrink the shipped pipelines to seconds.</summary>
    public static readonly string[] Tiny =
    [
        "components.data.count=48", "components.data.image_size=8",
        "components.model.base_channels=16", "components.model.groups=4", "components.model.attention_resolutions=[4]",
        "stages.train.steps=2", "stages.train.batch_size=4", "stages.train.checkpoint_every=0",
        "stages.sample.count=4", "stages.sample.steps=2",
        "stages.evaluate.loss_items=4", "stages.evaluate.loss_timesteps=1",
    ];

    /// <summary>Overrides that shrink a compress stage's measurements.</summary>
    public static readonly string[] TinyCompress =
    [
        "stages.compress.eval_count=4", "stages.compress.sample_steps=2", "stages.compress.latency_runs=1", "stages.compress.latency_batch=1",
    ];

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Diffusion.Framework.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root above " + AppContext.BaseDirectory);
    }
}
