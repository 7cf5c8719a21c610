using Diffusion.Abstractions.Checkpoints;
using Diffusion.Abstractions.Runs;
using Diffusion.Core.Runs;
using Diffusion.Tracking;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diffusion.Stages.Tests.Sampling;

/// <summary>The sample stage's class_labels: conditional samples, and their labels reaching the image modality's class-accuracy.</summary>
public class ClassConditionalSamplingTests
{
    private static RunResult Run(TempFolder folder, string db, params string[] overrides)
    {
        var runner = new PipelineRunner(NullLogger.Instance, new SilentProgress());
        return runner.Run(new RunRequest(TinyPipeline.Load(folder, overrides), db, Path.GetDirectoryName(db)!, null), CancellationToken.None);
    }

    [Fact]
    public void Cycled_labels_condition_the_samples_and_are_scored_by_class_accuracy()
    {
        using var temp = new TempFolder();
        string db = Path.Combine(temp.Path, "runs", "tracking.db");
        string[] conditional =
        [
            "components.model.class_conditional=true", "stages.sample.count=6",
            "components.data.metrics=[class-accuracy, fd]", "components.data.classifier_cache=" + Path.Combine(temp.Path, "cache"),
        ];

        var labelled = Run(temp, db, [.. conditional, "stages.sample.class_labels=cycle"]);
        var unlabelled = Run(temp, db, [.. conditional, "components.data.metrics=[fd]"]);

        Assert.Equal(RunStatus.Completed, labelled.Status);
        Assert.Equal(RunStatus.Completed, unlabelled.Status);
        using var store = TrackingStores.Open(db);
        var metrics = store.FindRun(labelled.RunId)!.Metrics.ToDictionary(m => m.Key, m => m.Last);
        Assert.InRange(metrics["eval/class-accuracy"], 0, 1);
        Assert.InRange(metrics["eval/class-accuracy-floor"], 0, 1);
        Assert.True(metrics.ContainsKey("eval/fd") && metrics.ContainsKey("eval/fd-floor"));
        // Same noise, other condition: labelled samples differ from the "no class" ones.
        var (a, _) = SafeTensors.Read(Path.Combine(labelled.RunFolder, "sample.safetensors"));
        var (b, _) = SafeTensors.Read(Path.Combine(unlabelled.RunFolder, "sample.safetensors"));
        Assert.False(a["samples"].allclose(b["samples"], rtol: 0, atol: 1e-4));
    }

    [Fact]
    public void Class_accuracy_without_labelled_samples_fails_the_run_with_advice()
    {
        using var temp = new TempFolder();
        string db = Path.Combine(temp.Path, "runs", "tracking.db");

        var result = Run(temp, db, "components.data.metrics=[class-accuracy]", "components.data.classifier_cache=" + Path.Combine(temp.Path, "cache"));

        Assert.Equal(RunStatus.Failed, result.Status);
        using var store = TrackingStores.Open(db);
        Assert.Contains("class_labels: cycle", store.FindRun(result.RunId)!.Run.Message);
    }
}
