using Diffusion.Abstractions.Runs;
using Diffusion.Stages.Training;
using Diffusion.Tracking;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Diffusion.Stages.Tests.Training;

/// <summary>Training never silently trains on NaN, and non-finite samples are refused before scoring (issue 15).</summary>
public class NonFiniteTrainingTests
{
    private sealed class Metrics : ITracker
    {
        public List<(string Key, double Value, long Step)> Logged { get; } = [];
        public void LogMetric(string key, double value, long step) => Logged.Add((key, value, step));
        public void LogParam(string key, object value) { }
        public void SetTag(string key, string value) { }
    }

    private static Parameter[] Gradients(params float[] values)
    {
        var p = new Parameter(zeros(values.Length));
        p.grad = tensor(values);
        return [p];
    }

    [Fact]
    public void A_non_finite_step_is_skipped_and_a_finite_one_resets_the_count()
    {
        var metrics = new Metrics();
        var guard = new NonFiniteGuard(metrics, NullLogger.Instance, 0.001);

        Assert.True(guard.Accept(1, 0.5, Gradients(1, 2)));
        Assert.False(guard.Accept(2, double.NaN, Gradients(1, 2)));
        Assert.False(guard.Accept(3, 0.5, Gradients(1, float.PositiveInfinity)));
        Assert.True(guard.Accept(4, 0.4, Gradients(1, 2)));
        Assert.False(guard.Accept(5, 0.4, Gradients(float.NaN, 2)));
        Assert.False(guard.Accept(6, 0.4, Gradients(float.NaN, 2)));

        Assert.Equal([(2L, 1.0), (3L, 2.0), (5L, 3.0), (6L, 4.0)],
            metrics.Logged.Where(m => m.Key == "train/nonfinite_steps").Select(m => (m.Step, m.Value)));
    }

    [Fact]
    public void Three_non_finite_steps_in_a_row_fail_naming_the_step_where_it_began()
    {
        var guard = new NonFiniteGuard(new Metrics(), NullLogger.Instance, 0.001);
        guard.Accept(7, 0.5, Gradients(1));
        guard.Accept(8, double.NaN, Gradients(1));
        guard.Accept(9, double.NaN, Gradients(1));

        var error = Assert.Throws<PluginInputException>(() => guard.Accept(10, double.NaN, Gradients(1)));

        Assert.StartsWith("loss became NaN at step 8", error.Message);
        Assert.Contains("lr is 0.001", error.Message);
        Assert.Contains("diffusion doctor", error.Message);
    }

    [Fact]
    public void A_diverging_run_fails_with_the_step_instead_of_training_on_nan()
    {
        using var folder = new TempFolder();

        var run = TrainPipeline.Run(folder, ["stages.train.lr=10", "stages.train.optimizer=sgd", "stages.train.grad_clip=0", "stages.train.steps=60"]);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Matches(@"^loss became NaN at step \d+", run.Message);
        using var store = TrackingStores.Open(TrainPipeline.Database(folder));
        var recorded = store.FindRun(run.RunId)!;
        Assert.All(recorded.Metrics.Where(m => m.Key == "train/loss"), m => Assert.True(double.IsFinite(m.Last)));
        Assert.Contains(recorded.Metrics, m => m.Key == "train/nonfinite_steps" && m.Last == NonFiniteGuard.MaxConsecutive);
        Assert.False(File.Exists(Path.Combine(run.RunFolder, "error.log")), "a diverging run is a clear failure, not a crash");
    }

    [Fact]
    public void Non_finite_samples_are_refused_naming_how_many_and_the_first()
    {
        using var scope = NewDisposeScope();
        var samples = zeros(5, 1, 4, 4);
        samples[3, 0, 1, 1] = tensor(float.NaN);
        samples[4, 0, 0, 0] = tensor(float.PositiveInfinity);

        var error = Assert.Throws<PluginInputException>(() => StageHelpers.RequireFinite(samples, "stage 'evaluate' refuses to score its samples"));

        Assert.Contains("2 of 5 samples hold NaN or infinite values (the first is sample 3)", error.Message);
        StageHelpers.RequireFinite(zeros(5, 1, 4, 4), "finite samples pass");
        StageHelpers.RequireFinite(tensor(new long[] { 1, 2 }).unsqueeze(0), "token samples have no NaN");
    }
}
