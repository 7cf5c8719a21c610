using Diffusion.Abstractions.Distributed;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Stages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Diffusion.Core.Runs;

/// <summary>The host's <see cref="IRunContext"/>: components come from the run's service provider, keyed by name.</summary>
internal sealed class RunContext(
    string runId,
    Device device,
    long seed,
    ILogger logger,
    ITracker tracker,
    IArtifactStore artifacts,
    IProgressReporter progress,
    IServiceProvider components,
    CancellationToken cancellation) : IRunContext
{
    public string RunId { get; } = runId;
    public Device Device { get; } = device;
    public long Seed { get; } = seed;
    public ILogger Logger { get; } = logger;
    public ITracker Tracker { get; } = tracker;
    public IArtifactStore Artifacts { get; } = artifacts;
    public IProgressReporter Progress { get; } = progress;
    public CancellationToken Cancellation { get; } = cancellation;
    public StageState State { get; } = new();
    public string StageName { get; set; } = "";
    public string? ResumeCheckpoint { get; set; }
    public ICommunicator Communicator { get; init; } = SingleProcess.Instance;

    public T Component<T>(string name) where T : class
    {
        var instance = components.GetKeyedService<object>(name)
                       ?? throw new InvalidOperationException($"no component named '{name}' in this pipeline");
        return instance as T ?? throw new InvalidOperationException(
            $"component '{name}' is a {instance.GetType().Name}, not a {typeof(T).Name}");
    }

    public SampleGenerators GeneratorsFor(long first, int count, string stream) => new(Seed, stream, first, count);
}
