using System.Diagnostics;
using Diffusion.Abstractions.Runs;

namespace Diffusion.Bench.Training;

/// <summary>
/// A progress reporter that timestamps each step the train stage reports, calls <see cref="OnStep"/> for it, and cancels the
/// run as soon as a later stage starts (these benchmarks measure training only).
/// </summary>
internal sealed class StepClock(CancellationTokenSource cancel) : IProgressReporter
{
    private readonly Stopwatch clock = Stopwatch.StartNew();

    /// <summary>Wall-clock seconds and process CPU seconds (all threads) since the clock started, at each reported step (in order).</summary>
    public List<(long Step, double Seconds, double CpuSeconds)> Steps { get; } = [];

    /// <summary>Called after each train step is recorded.</summary>
    public Action<long>? OnStep { get; init; }

    public IProgressTask Start(string label, long total, long alreadyDone = 0)
    {
        if (label != "train") cancel.Cancel();
        return new Task(this, label == "train");
    }

    /// <summary>Wall-clock durations between consecutive reports (so every step but the first).</summary>
    public double[] StepSeconds() => Steps.Zip(Steps.Skip(1), (a, b) => b.Seconds - a.Seconds).ToArray();

    /// <summary>Process CPU time between consecutive reports.</summary>
    public double[] StepCpuSeconds() => Steps.Zip(Steps.Skip(1), (a, b) => b.CpuSeconds - a.CpuSeconds).ToArray();

    /// <summary>CPU time of the whole process (every thread: libtorch's workers, the tracking writer, the GC), in seconds.</summary>
    public static double ProcessCpuSeconds()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }

    private sealed class Task(StepClock owner, bool train) : IProgressTask
    {
        public void Report(long done, string? status = null)
        {
            if (!train) return;
            owner.Steps.Add((done, owner.clock.Elapsed.TotalSeconds, ProcessCpuSeconds()));
            owner.OnStep?.Invoke(done);
        }

        public void Dispose() { }
    }
}
