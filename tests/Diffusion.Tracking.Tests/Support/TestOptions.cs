namespace Diffusion.Tracking.Tests.Support;

internal static class TestOptions
{
    /// <summary>Short intervals so tests see heartbeats and batches quickly.</summary>
    public static TrackingOptions Fast { get; } = new()
    {
        HeartbeatInterval = TimeSpan.FromMilliseconds(50),
        StaleAfter = TimeSpan.FromSeconds(5),
        FlushInterval = TimeSpan.FromMilliseconds(10),
    };

    public static NewRun Run(string name = "run", string experiment = "exp", string? parent = null) =>
        new(name, experiment, Seed: 42, PipelinePath: "pipelines/test.yaml", PipelineText: "stages: []\n", CodeVersion: "test-1.0", ParentRunId: parent);
}
