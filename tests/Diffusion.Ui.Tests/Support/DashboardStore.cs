using System.Security.Cryptography;
using Diffusion.Tracking;

namespace Diffusion.Ui.Tests.Support;

/// <summary>
/// A tracking store filled the way real runs fill it, with run folders beside it: two comparable runs with curves,
/// sample grids and text samples, a failed run with its error.log, a RUNNING run whose recorder stays open, a sweep
/// with completed, pruned and failed trials, and filler runs for paging. Beside the run folders lies a secret file
/// and, inside one run's folder, links that point at it: the artifact route must never serve them.
/// </summary>
public sealed class DashboardStore : IDisposable
{
    public const string Secret = "top secret: not an artifact";

    private static readonly TrackingOptions Options = TrackingOptions.Default with
    {
        HeartbeatInterval = TimeSpan.FromMilliseconds(200),
        FlushInterval = TimeSpan.FromMilliseconds(20),
    };

    private readonly ITrackingStore _store;

    public DashboardStore(string? location = null)
    {
        Folder = Path.Combine(Path.GetTempPath(), "diffusion-ui-tests", Guid.NewGuid().ToString("N"));
        ArtifactRoot = Path.Combine(Folder, "runs");
        Directory.CreateDirectory(ArtifactRoot);
        Location = location ?? Path.Combine(ArtifactRoot, "tracking.db");
        _store = TrackingStores.Open(Location, Options);
        File.WriteAllText(Path.Combine(Folder, "secret.txt"), Secret);
        Fill();
    }

    public string Folder { get; }

    public string ArtifactRoot { get; }

    public string Location { get; }

    public string Baseline { get; private set; } = "";

    public string Wider { get; private set; } = "";

    public string Failed { get; private set; } = "";

    public string Sweep { get; private set; } = "";

    public int FillerRuns => 60;

    /// <summary>The RUNNING run; log to it to see the live view move.</summary>
    public IRunRecorder Live { get; private set; } = null!;

    public DashboardOptions ServeOptions(string? token = null, string host = "127.0.0.1", int port = 0) =>
        new() { Database = Location, Host = host, Port = port, Token = token };

    public void Dispose()
    {
        Live.Dispose();
        _store.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Fill()
    {
        for (var i = 0; i < FillerRuns; i++)
        {
            using var filler = Start($"filler {i:D2}", "bulk");
            filler.LogParam("index", i);
            filler.LogMetric("loss", 1.0 / (i + 1), 0);
            filler.Complete();
        }

        Baseline = CurveRun("baseline", 0.001, floor: 0.10, grid: 4);
        Wider = CurveRun("wider", 0.002, floor: 0.05, grid: 8);

        using (var failed = Start("broken", "exp"))
        {
            failed.LogParam("lr", 10.0);
            failed.LogMetric("train/loss", double.NaN, 3);
            Directory.CreateDirectory(RunFolder(failed.RunId));
            File.WriteAllText(Path.Combine(RunFolder(failed.RunId), "error.log"), "System.InvalidOperationException: loss became NaN at step 3\n   at Train()");
            failed.Fail("InvalidOperationException: loss became NaN at step 3");
            Failed = failed.RunId;
        }

        Sweep = MakeSweep();

        Live = Start("live", "exp");
        Live.LogParam("lr", 0.003);
        for (var step = 0; step < 10; step++) Live.LogMetric("train/loss", 1.0 / (step + 1), step);
        Live.Flush();
    }

    private string CurveRun(string name, double lr, double floor, int grid)
    {
        using var run = Start(name, "exp");
        run.LogParams([new("stages.train.lr", lr), new("optimizer", "adam"), new("stages.train.batch_size", 32L)]);
        run.SetTag("note", name);
        for (var step = 0; step < 300; step++) run.LogMetric("train/loss", floor + (1.0 / (1 + (step * lr * 50))), step);
        run.LogMetric("eval/fd", floor * 10, 300);
        var folder = RunFolder(run.RunId);
        Directory.CreateDirectory(folder);
        Artifact(run, "sample.png", "image-grid", TinyPng.Checkerboard(64, grid));
        Artifact(run, "samples.txt", "text-samples", System.Text.Encoding.UTF8.GetBytes($"a {name} sample\n%\nanother {name} sample\n"));
        Artifact(run, "model.safetensors", "checkpoint", new byte[64]);
        Artifact(run, "pipeline.yaml", "pipeline", System.Text.Encoding.UTF8.GetBytes("name: test\n"));
        if (name == "baseline")
        {
            File.CreateSymbolicLink(Path.Combine(folder, "link.txt"), Path.Combine(Folder, "secret.txt"));
            File.CreateSymbolicLink(Path.Combine(folder, "outside"), Folder);
        }

        run.Complete();
        return run.RunId;
    }

    private string MakeSweep()
    {
        using var parent = Start("tiny sweep", "exp");
        using var sweeps = TrackingStores.OpenSweeps(Location, Options);
        sweeps.Create(
            new SweepDefinition(parent.RunId, "pipelines/tiny.yaml", "name: tiny\n", ["stages.train.steps=20"], "random", "eval/fd", false, 5, false, TimeSpan.FromMinutes(5)),
            [
                """{"stages.train.lr":"0.0001","model.width":"16"}""",
                """{"stages.train.lr":"0.001","model.width":"32"}""",
                """{"stages.train.lr":"0.01","model.width":"16"}""",
                """{"stages.train.lr":"0.003","model.width":"64"}""",
                """{"stages.train.lr":"0.03","model.width":"32"}""",
            ]);
        (TrialState State, double? Value)[] outcomes =
            [(TrialState.Completed, 0.9), (TrialState.Completed, 0.4), (TrialState.Pruned, null), (TrialState.Completed, 0.2), (TrialState.Failed, null)];
        foreach (var (state, value) in outcomes)
        {
            var trial = sweeps.Claim(parent.RunId, "test:1:w", null).Trial!;
            using var child = _store.StartRun(new NewRun($"trial {trial.Number}", "exp", 1, "pipelines/tiny.yaml", "name: tiny\n", "test", parent.RunId, ArtifactRoot));
            sweeps.AttachRun(parent.RunId, trial.Number, "test:1:w", child.RunId);
            if (value is { } v) child.LogMetric("eval/fd", v, 20);
            if (state == TrialState.Failed) child.Fail("boom");
            else child.Complete();
            sweeps.Finish(parent.RunId, trial.Number, "test:1:w", state, value, state == TrialState.Pruned ? "pruned at step 10 (median rule)" : null);
        }

        sweeps.SetState(parent.RunId, SweepState.Completed);
        parent.Complete();
        return parent.RunId;
    }

    private IRunRecorder Start(string name, string experiment) =>
        _store.StartRun(new NewRun(name, experiment, 7, "pipelines/test.yaml", $"name: {name}\nseed: 7\n", "test-1.0", ArtifactRoot: ArtifactRoot));

    private string RunFolder(string runId) => Path.Combine(ArtifactRoot, runId);

    private void Artifact(IRunRecorder run, string path, string kind, byte[] content)
    {
        File.WriteAllBytes(Path.Combine(RunFolder(run.RunId), path), content);
        run.RecordArtifact(path, kind, Convert.ToHexStringLower(SHA256.HashData(content)), content.Length);
    }
}
