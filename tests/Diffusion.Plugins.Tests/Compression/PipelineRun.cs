using Diffusion.Abstractions.Runs;
using Diffusion.Core.Pipelines;
using Diffusion.Core.Plugins;
using Diffusion.Core.Runs;
using Diffusion.Plugins.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diffusion.Plugins.Tests.Compression;

/// <summary>Runs a pipeline file the way the CLI does, with the first-party plugins from their drop folder.</summary>
internal static class PipelineRun
{
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>A shipped pipeline in pipelines/.</summary>
    public static string Shipped(string name) => Path.Combine(RepoRoot, "pipelines", name);

    public static RunResult Run(TempFolder folder, string path, params string[] overrides)
    {
        var document = PipelineLoader.Load(path, overrides);
        var sources = new List<PluginSource> { new(Path.Combine(RepoRoot, "artifacts", "plugins"), "first-party") };
        var spec = PipelineBinder.Bind(document, PluginDiscovery.Discover(sources));
        var runner = new PipelineRunner(NullLogger.Instance, new Silent());
        return runner.Run(new RunRequest(spec, Database(folder)), CancellationToken.None);
    }

    public static string Database(TempFolder folder) => Path.Combine(folder.Path, "runs", "tracking.db");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Diffusion.Framework.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root above " + AppContext.BaseDirectory);
    }

    private sealed class Silent : IProgressReporter
    {
        public IProgressTask Start(string label, long total, long alreadyDone = 0) => new Task();

        private sealed class Task : IProgressTask
        {
            public void Report(long done, string? status = null) { }
            public void Dispose() { }
        }
    }
}
