using Diffusion.Abstractions.Checkpoints;
using Diffusion.Abstractions.Runs;
using Diffusion.Core.Runs;
using Diffusion.Tracking;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diffusion.Core.Tests.Runs;

public class PipelineRunnerTests
{
    private static RunResult Run(TempFolder folder, string db, string? resume = null, IProgressReporter? progress = null,
        CancellationToken cancellation = default, params string[] overrides)
    {
        var runner = new PipelineRunner(NullLogger.Instance, progress ?? new SilentProgress());
        return runner.Run(new RunRequest(TinyPipeline.Load(folder, overrides), db, Path.GetDirectoryName(db)!, resume), cancellation);
    }

    [Fact]
    public void ATinyPipelineCompletesAndRecordsParamsMetricsAndAGrid()
    {
        using var temp = new TempFolder();
        string db = Path.Combine(temp.Path, "runs", "tracking.db");

        var result = Run(temp, db);

        Assert.Equal(RunStatus.Completed, result.Status);
        using var store = TrackingStores.Open(db);
        var run = store.FindRun(result.RunId)!;
        Assert.Equal(RunStatus.Completed, run.Run.Status);
        var channels = run.Params.Single(p => p.Key == "components.model.base_channels");
        Assert.Equal(8L, Convert.ToInt64(channels.Value));
        Assert.Contains(run.Params, p => p.Key == "stages.train.lr");
        Assert.Contains(run.Params, p => p.Key == "components.noise.beta_schedule"); // defaults are recorded too
        Assert.Equal(6, run.Metrics.Single(m => m.Key == "train/loss").Count);
        Assert.Contains(run.Metrics, m => m.Key == "eval/denoise_loss");
        Assert.Contains(run.Artifacts, a => a.Path == "sample.png" && a.Kind == "image-grid");
        Assert.Contains(run.Artifacts, a => a.Path == "checkpoints/train/step-00000006/model.safetensors");
        Assert.True(File.Exists(Path.Combine(result.RunFolder, "postprocess.png")));
    }

    [Fact]
    public void TheSamePipelineAndSeedGiveTheSameNumbers()
    {
        using var temp = new TempFolder();
        string db = Path.Combine(temp.Path, "runs", "tracking.db");

        var first = Run(temp, db);
        var second = Run(temp, db);

        Assert.Equal(File.ReadAllBytes(Path.Combine(first.RunFolder, "sample.png")), File.ReadAllBytes(Path.Combine(second.RunFolder, "sample.png")));
        using var store = TrackingStores.Open(db);
        Assert.Equal(
            store.MetricHistory(first.RunId, "train/loss").Select(p => p.Value),
            store.MetricHistory(second.RunId, "train/loss").Select(p => p.Value));
    }

    [Fact]
    public void AnInterruptedRunIsKilledAndResumesToTheSameWeightsBitForBit()
    {
        using var temp = new TempFolder();
        string db = Path.Combine(temp.Path, "runs", "tracking.db");
        var uninterrupted = Run(temp, db);

        using var cancel = new CancellationTokenSource();
        var killed = Run(temp, db, progress: new CancelAt("train", 4, cancel), cancellation: cancel.Token);
        Assert.Equal(RunStatus.Killed, killed.Status);
        Assert.Equal(3, Checkpoint.Latest(killed.RunFolder, "train")!.Step);

        var resumed = Run(temp, db, resume: killed.RunId);

        Assert.Equal(RunStatus.Completed, resumed.Status);
        Assert.Equal(killed.RunId, resumed.RunId);
        foreach (string file in new[] { "model.safetensors", "ema.safetensors" })
        {
            string final = Path.Combine("checkpoints", "train", "step-00000006", file);
            Assert.Equal(File.ReadAllBytes(Path.Combine(uninterrupted.RunFolder, final)), File.ReadAllBytes(Path.Combine(resumed.RunFolder, final)));
        }
        using var store = TrackingStores.Open(db);
        Assert.Equal(RunStatus.Completed, store.FindRun(killed.RunId)!.Run.Status);
        // Steps 4..6 were done twice (the kill came after step 4, the checkpoint was at 3): the history still has each
        // step once, with the values of an uninterrupted run, row for row.
        foreach (var key in store.FindRun(uninterrupted.RunId)!.Metrics.Select(m => m.Key).Where(k => k.StartsWith("train/", StringComparison.Ordinal)))
        {
            Assert.Equal(
                store.MetricHistory(uninterrupted.RunId, key).Select(p => (p.Step, key.EndsWith("seconds", StringComparison.Ordinal) || key.Contains("per_second", StringComparison.Ordinal) ? 0 : p.Value)),
                store.MetricHistory(resumed.RunId, key).Select(p => (p.Step, key.EndsWith("seconds", StringComparison.Ordinal) || key.Contains("per_second", StringComparison.Ordinal) ? 0 : p.Value)));
        }
    }

    [Fact]
    public void AFailingPluginMarksTheRunFailedWithItsMessageAndKeepsWhatWasRecorded()
    {
        using var temp = new TempFolder();
        string db = Path.Combine(temp.Path, "runs", "tracking.db");

        // The folder exists (validation checks that) but holds no data set.
        string empty = Directory.CreateDirectory(Path.Combine(temp.Path, "no-fmnist-here")).FullName;
        var result = Run(temp, db, overrides: ["components.data.dataset=fashion-mnist", $"components.data.path={empty}"]);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("dataset-fashion-mnist", result.Message);
        using var store = TrackingStores.Open(db);
        var run = store.FindRun(result.RunId)!;
        Assert.Equal(RunStatus.Failed, run.Run.Status);
        Assert.Contains("dataset-fashion-mnist", run.Run.Message);
        Assert.Contains(run.Params, p => p.Key == "components.data.path");
    }

    /// <summary>Cancels the run once a stage has reported a given number of steps done (like Ctrl+C at that moment).</summary>
    private sealed class CancelAt(string stage, long step, CancellationTokenSource source) : IProgressReporter
    {
        public IProgressTask Start(string label, long total, long alreadyDone = 0) => new Task(label == stage ? step : long.MaxValue, source);

        private sealed class Task(long at, CancellationTokenSource source) : IProgressTask
        {
            public void Report(long done, string? status = null)
            {
                if (done >= at) source.Cancel();
            }

            public void Dispose() { }
        }
    }
}
