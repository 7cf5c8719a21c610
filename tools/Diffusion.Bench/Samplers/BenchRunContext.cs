using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Stages;
using Diffusion.Core.Runs;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Diffusion.Bench.Samplers;

/// <summary>The little of a run context that scoring and writing sample grids need: a folder, a seed, a logger.</summary>
internal sealed class BenchRunContext(string folder, long seed, ILogger logger) : IRunContext
{
    public string RunId => "bench-samplers";
    public Device Device { get; } = cuda.is_available() ? CUDA : CPU;
    public long Seed { get; } = seed;
    public ILogger Logger { get; } = logger;
    public ITracker Tracker { get; } = new NoTracker();
    public IArtifactStore Artifacts { get; } = new FolderStore(folder);
    public IProgressReporter Progress { get; } = ConsoleProgress.ForStandardError();
    public CancellationToken Cancellation => CancellationToken.None;
    public StageState State { get; } = new();
    public string StageName => "samplers";
    public string? ResumeCheckpoint => null;

    public T Component<T>(string name) where T : class => throw new NotSupportedException();

    public SampleGenerators GeneratorsFor(long first, int count, string stream) => new(Seed, stream, first, count);

    private sealed class NoTracker : ITracker
    {
        public void LogMetric(string key, double value, long step) { }
        public void LogParam(string key, object value) { }
        public void SetTag(string key, string value) { }
    }

    private sealed class FolderStore(string root) : IArtifactStore
    {
        public string Root { get; } = root;

        public string Write(string relativePath, string kind, Action<Stream> write)
        {
            string path = Path.Combine(Root, relativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using (var stream = File.Create(path)) write(stream);
            return path;
        }

        public void Record(string relativePath, string kind) { }
    }
}
