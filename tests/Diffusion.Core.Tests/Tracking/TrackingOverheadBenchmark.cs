using System.Diagnostics;
using Diffusion.Tracking;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Diffusion.Core.Tests.Tracking;

/// <summary>
/// Issue 8's "tracking on vs off changes the training step time by at most 1%": a small convolutional
/// training step (tens of milliseconds on 2 cores, so logging weighs more than in a real run) timed in blocks
/// that alternate between logging five metrics a step and logging nothing. Skipped unless DIFFUSION_BENCH=1:
/// <c>DIFFUSION_BENCH=1 dotnet test tests/Diffusion.Core.Tests --filter Category=Benchmark --logger "console;verbosity=detailed"</c>.
/// </summary>
[Trait("Category", "Benchmark")]
public sealed class TrackingOverheadBenchmark(ITestOutputHelper output)
{
    private const int Blocks = 60, StepsPerBlock = 5, Warmup = 20;

    [BenchmarkFact]
    public void Training_step_time_with_and_without_tracking()
    {
        using var folder = new TempFolder();
        using var store = TrackingStores.Open(Path.Combine(folder.Path, "tracking.db"));
        using var run = store.StartRun(new NewRun("overhead", "bench", 1, "bench.yaml", "", "bench"));
        manual_seed(1);
        using var network = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding: 1), nn.SiLU(),
            nn.Conv2d(32, 32, 3, padding: 1), nn.SiLU(),
            nn.Conv2d(32, 3, 3, padding: 1));
        using var optimizer = optim.Adam(network.parameters(), 1e-3);
        using var x = randn(16, 3, 32, 32);
        using var y = randn(16, 3, 32, 32);

        long step = 0;
        double Step(bool track)
        {
            var clock = Stopwatch.StartNew();
            using (NewDisposeScope())
            {
                optimizer.zero_grad();
                var loss = nn.functional.mse_loss(network.call(x), y);
                loss.backward();
                optimizer.step();
                double value = loss.item<float>();
                if (track)
                {
                    run.LogMetric("train/loss", value, step);
                    run.LogMetric("train/lr", 1e-3, step);
                    run.LogMetric("train/grad_norm", value * 2, step);
                    run.LogMetric("train/ema_loss", value * 0.9, step);
                    run.LogMetric("train/samples", step * 16, step);
                }
            }
            step++;
            return clock.Elapsed.TotalMilliseconds;
        }

        for (int i = 0; i < Warmup; i++) Step(track: true);
        var on = new List<double>();
        var off = new List<double>();
        // CPU time of the whole process (training threads and the tracking writer) per step, by mode: less
        // sensitive than wall time to other work on the machine.
        var cpu = new Dictionary<bool, TimeSpan> { [true] = TimeSpan.Zero, [false] = TimeSpan.Zero };
        // Each pair of neighbouring blocks gives one ratio (median step on / median step off): slow changes in
        // the machine's load cancel out within a pair, and the median of the ratios ignores the pairs a burst hit.
        var ratios = new List<double>();
        using var process = Process.GetCurrentProcess();
        for (int block = 0; block < Blocks; block++)
        {
            // Alternate which mode goes first, so drift in machine load falls on both alike.
            var pair = new Dictionary<bool, double>();
            foreach (var track in block % 2 == 0 ? new[] { true, false } : [false, true])
            {
                process.Refresh();
                var before = process.TotalProcessorTime;
                var times = Enumerable.Range(0, StepsPerBlock).Select(_ => Step(track)).ToList();
                // Let the writer commit this block's values before the next block starts, and count its work here.
                if (track) run.Flush();
                process.Refresh();
                cpu[track] += process.TotalProcessorTime - before;
                (track ? on : off).AddRange(times);
                pair[track] = Median(times);
            }
            ratios.Add(pair[true] / pair[false]);
        }
        run.Complete();

        double medianOn = Median(on), medianOff = Median(off), meanOn = on.Average(), meanOff = off.Average();
        double cpuOn = cpu[true].TotalMilliseconds / on.Count, cpuOff = cpu[false].TotalMilliseconds / off.Count;
        var line = $"overhead: {on.Count} steps each; median step {medianOff:F2} ms off, {medianOn:F2} ms on ({100 * (medianOn - medianOff) / medianOff:+0.00;-0.00}%); " +
                   $"mean {meanOff:F2} ms off, {meanOn:F2} ms on ({100 * (meanOn - meanOff) / meanOff:+0.00;-0.00}%); " +
                   $"process CPU per step {cpuOff:F2} ms off, {cpuOn:F2} ms on ({100 * (cpuOn - cpuOff) / cpuOff:+0.00;-0.00}%); " +
                   $"median of {ratios.Count} paired block ratios {100 * (Median(ratios) - 1):+0.00;-0.00}%; 5 metrics a step";
        output.WriteLine(line);
        Console.WriteLine(line);
        Assert.Equal(5 * (on.Count + Warmup), store.FindRun(run.RunId)!.Metrics.Sum(m => m.Count));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return (sorted[(sorted.Count - 1) / 2] + sorted[sorted.Count / 2]) / 2;
    }
}
