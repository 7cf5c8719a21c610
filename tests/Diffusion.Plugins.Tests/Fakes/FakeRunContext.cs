using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diffusion.Plugins.Tests.Fakes;

/// <summary>
/// A run context writing artifacts to a temporary folder and recording metrics, with the components it is given;
/// everything else is inert.
/// </summary>
/// <param name="seed">The run seed (sample i's generator is seeded by it and i).</param>
internal class FakeRunContext(long seed = 1234) : IRunContext, IDisposable
{
    private readonly TempFolder _folder = new();

    public string RunId => "test-run";
    public Device Device => CPU;
    public long Seed => seed;
    public ILogger Logger => NullLogger.Instance;
    public RecordingTracker Tracker { get; } = new();
    ITracker IRunContext.Tracker => Tracker;
    public FolderArtifactStore Artifacts => field ??= new FolderArtifactStore(_folder.Path);
    IArtifactStore IRunContext.Artifacts => Artifacts;
    public IProgressReporter Progress { get; } = new NullProgress();
    public CancellationToken Cancellation => CancellationToken.None;
    public StageState State { get; } = new();
    public string StageName { get; set; } = "test";
    public string? ResumeCheckpoint => null;

    /// <summary>The components <see cref="Component{T}"/> returns, by name.</summary>
    public Dictionary<string, object> Components { get; } = [];

    public T Component<T>(string name) where T : class =>
        Components.TryGetValue(name, out var component) ? (T)component : throw new KeyNotFoundException(name);

    public SampleGenerators GeneratorsFor(long first, int count, string stream) => new(Seed, stream, first, count);

    public virtual void Dispose()
    {
        State.Dispose();
        _folder.Dispose();
    }

    internal sealed class FolderArtifactStore(string root) : IArtifactStore
    {
        public string Root { get; } = root;
        public List<(string Path, string Kind)> Recorded { get; } = [];

        public string Write(string relativePath, string kind, Action<Stream> write)
        {
            string path = System.IO.Path.Combine(Root, relativePath);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            using (var stream = File.Create(path)) write(stream);
            Record(relativePath, kind);
            return path;
        }

        public void Record(string relativePath, string kind) => Recorded.Add((relativePath, kind));
    }

    /// <summary>The last value of each metric.</summary>
    internal sealed class RecordingTracker : ITracker
    {
        public Dictionary<string, double> Metrics { get; } = new();
        public void LogMetric(string key, double value, long step) => Metrics[key] = value;
        public void LogParam(string key, object value) { }
        public void SetTag(string key, string value) { }
    }
}

/// <summary>Progress that goes nowhere.</summary>
internal sealed class NullProgress : IProgressReporter
{
    public IProgressTask Start(string label, long total, long alreadyDone = 0) => new NullTask();

    private sealed class NullTask : IProgressTask
    {
        public void Report(long done, string? status = null) { }
        public void Dispose() { }
    }
}

/// <summary>A fresh temporary folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("diffusion-plugins-tests-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
