using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Stages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace MyPlugin.Tests;

/// <summary>
/// What the host gives a plugin while a run is in progress, in memory: a temporary artifact folder (deleted on dispose),
/// the metrics, params and artifacts recorded, the stage state, and components by name.
/// </summary>
internal sealed class TestRunContext : IRunContext, ITracker, IArtifactStore, IProgressReporter, IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "my-plugin-tests-" + Guid.NewGuid().ToString("N")[..10]);

    public TestRunContext() => Directory.CreateDirectory(root);

    /// <summary>Components the plugin may look up by name, as a pipeline's <c>components:</c> would give them.</summary>
    public Dictionary<string, object> Components { get; } = [];

    /// <summary>Every metric logged: (key, value, step).</summary>
    public List<(string Key, double Value, long Step)> Metrics { get; } = [];

    /// <summary>Every artifact written or recorded: (relative path, kind).</summary>
    public List<(string Path, string Kind)> ArtifactsWritten { get; } = [];

    public string RunId => "test-run";
    public Device Device => CPU;
    public long Seed => 1;
    public ILogger Logger => NullLogger.Instance;
    public ITracker Tracker => this;
    public IArtifactStore Artifacts => this;
    public IProgressReporter Progress => this;
    public CancellationToken Cancellation => CancellationToken.None;
    public StageState State { get; } = new();
    public string StageName { get; set; } = "test";
    public string? ResumeCheckpoint => null;

    public T Component<T>(string name) where T : class => (T)Components[name];

    public SampleGenerators GeneratorsFor(long first, int count, string stream) => new(Seed, stream, first, count);

    public void LogMetric(string key, double value, long step) => Metrics.Add((key, value, step));
    public void LogParam(string key, object value) { }
    public void SetTag(string key, string value) { }

    public string Root => root;

    public string Write(string relativePath, string kind, Action<Stream> write)
    {
        string path = Path.Combine(root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var stream = File.Create(path)) write(stream);
        Record(relativePath, kind);
        return path;
    }

    public void Record(string relativePath, string kind) => ArtifactsWritten.Add((relativePath, kind));

    public IProgressTask Start(string label, long total, long alreadyDone = 0) => new NoProgress();

    public void Dispose()
    {
        State.Dispose();
        try { Directory.Delete(root, recursive: true); } catch (IOException) { }
    }

    private sealed class NoProgress : IProgressTask
    {
        public void Report(long done, string? status = null) { }
        public void Dispose() { }
    }
}
