using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Stages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace Diffusion.Plugins.Tests.Fakes;

/// <summary>A run context writing artifacts to a temporary folder; everything else is inert.</summary>
internal sealed class FakeRunContext : IRunContext, IDisposable
{
    private readonly TempFolder _folder = new();

    public FakeRunContext() => Artifacts = new FolderArtifactStore(_folder.Path);

    public string RunId => "test-run";
    public Device Device => CPU;
    public long Seed => 1234;
    public ILogger Logger => NullLogger.Instance;
    public ITracker Tracker { get; } = new NullTracker();
    public FolderArtifactStore Artifacts { get; }
    IArtifactStore IRunContext.Artifacts => Artifacts;
    public IProgressReporter Progress { get; } = new NullProgress();
    public CancellationToken Cancellation => CancellationToken.None;
    public StageState State { get; } = new();
    public string StageName => "test";
    public string? ResumeCheckpoint => null;

    public T Component<T>(string name) where T : class => throw new KeyNotFoundException(name);

    public SampleGenerators GeneratorsFor(long first, int count, string stream) => new(Seed, stream, first, count);

    public void Dispose() => _folder.Dispose();

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

    private sealed class NullTracker : ITracker
    {
        public void LogMetric(string key, double value, long step) { }
        public void LogParam(string key, object value) { }
        public void SetTag(string key, string value) { }
    }

    private sealed class NullProgress : IProgressReporter
    {
        public IProgressTask Start(string label, long total, long alreadyDone = 0) => new NullTask();

        private sealed class NullTask : IProgressTask
        {
            public void Report(long done, string? status = null) { }
            public void Dispose() { }
        }
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
