using Diffusion.Abstractions.Runs;
using Diffusion.Stages.Training;
using Diffusion.Tracking;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace Diffusion.Stages.Tests.Training;

/// <summary>The training loss is summed on the device and read once per log_every steps (issue 24).</summary>
[Collection(nameof(TrainStageTests))]
public class LossAccumulatorTests
{
    [Fact]
    public void Every_5_steps_the_mean_of_those_steps_is_read_once_and_the_last_step_flushes_the_rest()
    {
        using var losses = new LossAccumulator(5, CPU);
        var logged = new List<(long Step, double Mean)>();
        for (long step = 1; step <= 12; step++)
        {
            using (NewDisposeScope()) losses.Add(tensor((float)step));
            if (losses.MeanAt(step, last: step == 12) is { } mean) logged.Add((step, mean));
        }

        Assert.Equal([(5L, 3.0), (10L, 8.0), (12L, 11.5)], logged);
        Assert.Equal(3, losses.HostReads);
    }

    [Fact]
    public void Skipped_steps_are_left_out_of_the_mean_and_a_window_without_accepted_steps_logs_nothing()
    {
        using var losses = new LossAccumulator(3, CPU);
        losses.Add(tensor(1f));
        Assert.Null(losses.MeanAt(1, false));
        losses.Add(tensor(4f));
        Assert.Null(losses.MeanAt(2, false));
        Assert.Equal(2.5, losses.MeanAt(3, false)); // step 3 was skipped (non-finite): the mean of steps 1 and 2

        Assert.Null(losses.MeanAt(6, false)); // steps 4-6 all skipped
        Assert.Equal(1, losses.HostReads);
    }

    [Fact]
    public void A_finite_step_costs_the_guard_one_host_read()
    {
        var guard = new NonFiniteGuard(new NullTracker(), NullLogger.Instance, 0.001);
        using var scope = NewDisposeScope();
        for (int step = 1; step <= 4; step++) Assert.True(guard.Accept(step, tensor(0.5f), tensor(2f)));
        Assert.Equal(4, guard.HostReads);
        Assert.False(guard.Accept(5, tensor(0.5f), tensor(float.PositiveInfinity)));
    }

    [Fact]
    public void Log_every_3_logs_the_mean_of_each_3_steps_and_trains_the_same_weights()
    {
        using var temp = new TempFolder();
        var every = TrainPipeline.Run(temp, []);
        var third = TrainPipeline.Run(temp, ["stages.train.log_every=3"]);

        Assert.Equal(RunStatus.Completed, every.Status);
        Assert.Equal(RunStatus.Completed, third.Status);
        using var store = TrackingStores.Open(TrainPipeline.Database(temp));
        var perStep = store.MetricHistory(every.RunId, "train/loss");
        var means = store.MetricHistory(third.RunId, "train/loss");
        Assert.Equal([1L, 2, 3, 4, 5, 6], perStep.Select(p => p.Step));
        Assert.Equal([3L, 6], means.Select(p => p.Step));
        Assert.Equal(perStep.Take(3).Average(p => p.Value), means[0].Value, 12);
        Assert.Equal(perStep.Skip(3).Average(p => p.Value), means[1].Value, 12);
        Assert.Equal(File.ReadAllBytes(TrainPipeline.Final(every, "model.safetensors")), File.ReadAllBytes(TrainPipeline.Final(third, "model.safetensors")));
    }

    private sealed class NullTracker : ITracker
    {
        public void LogMetric(string key, double value, long step) { }
        public void LogParam(string key, object value) { }
        public void SetTag(string key, string value) { }
    }
}
