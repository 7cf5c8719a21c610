using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Schedulers;
using Diffusion.Abstractions.Stages;
using Diffusion.Denoisers.UNet2D;
using Diffusion.Modalities.Image;
using Diffusion.Plugins.Tests.Fakes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace Diffusion.Plugins.Tests.Restoration;

/// <summary>
/// A run context for restoration stages: 12x12 shapes as data, an untrained small UNet as the "trained" model, a
/// scheduler, recorded metrics and a temporary artifact folder.
/// </summary>
internal sealed class RestorationTestContext : IRunContext, IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly Dictionary<string, object> _components = new();

    public RestorationTestContext(IScheduler scheduler, int extraInChannels = 0)
    {
        Artifacts = new FakeRunContext.FolderArtifactStore(_folder.Path);
        _components["data"] = new ImageModality(new ImageModalityOptions { ImageSize = 12, Count = 16 });
        _components["sampler"] = scheduler;
        manual_seed(3);
        var network = new UNet2DDenoiser(new UNet2DOptions
        {
            BaseChannels = 8, Groups = 4, NumHeads = 2, ChannelMults = [1, 2], AttentionResolutions = [], ExtraInChannels = extraInChannels,
        }).Build(new DataSpec("image", [1, 12, 12]));
        network.eval();
        var schedule = NoiseSchedule.Create(BetaSchedule.Cosine, 100, 1e-4, 0.02, PredictionType.Epsilon);
        State.SetModel("model", new TrainedModel(network, schedule, new DataSpec("image", [1, 12, 12])));
    }

    public string RunId => "restoration-test";
    public Device Device => CPU;
    public long Seed => 77;
    public ILogger Logger => NullLogger.Instance;
    public RecordingTracker Tracker { get; } = new();
    ITracker IRunContext.Tracker => Tracker;
    public FakeRunContext.FolderArtifactStore Artifacts { get; }
    IArtifactStore IRunContext.Artifacts => Artifacts;
    public IProgressReporter Progress { get; } = new NullProgress();
    public CancellationToken Cancellation => CancellationToken.None;
    public StageState State { get; } = new();
    public string StageName { get; set; } = "restore";
    public string? ResumeCheckpoint => null;

    public T Component<T>(string name) where T : class => (T)_components[name];

    public SampleGenerators GeneratorsFor(long first, int count, string stream) => new(Seed, stream, first, count);

    public Tensor Samples => State.Samples!.Values;

    public void Dispose()
    {
        State.Dispose();
        _folder.Dispose();
    }

    internal sealed class RecordingTracker : ITracker
    {
        public Dictionary<string, double> Metrics { get; } = new();
        public void LogMetric(string key, double value, long step) => Metrics[key] = value;
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
