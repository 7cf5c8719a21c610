using System.Diagnostics;
using Diffusion.Abstractions.Runs;

namespace Diffusion.Bench.Training;

/// <summary>
/// A progress reporter that timestamps each step the train stage reports, calls <see cref="OnStep"/> for it, and cancels the
/// run as soon as a later stage starts (these benchmarks measure training only). The time <see cref="OnStep"/> takes is
/// not counted in the next step: a step's duration runs from the end of the previous report's callback to its own report,
/// so the callback can run other work (the hand-written loop's step, interleaved) without being measured as the stage's.
/// </summary>
internal sealed class StepClock(CancellationTokenSource cancel) : IProgressReporter
{
    private readonly Stopwatch clock = Stopwatch.StartNew();

    /// <summary>Wall-clock seconds and process CPU seconds (all threads) since the clock started, at each reported step (in order).</summary>
    public List<(long Step, double Seconds, double CpuSeconds)> Steps { get; } = [];

    /// <summary>Called after each train step is recorded.</summary>
    public Action<long>? OnStep { get; init; }

    /// <summary>Wall-clock and process CPU seconds when each report's callback returned (the next step's start), in order.</summary>
    private List<(double Seconds, double CpuSeconds)> Resumed { get; } = [];

    public IProgressTask Start(string label, long total, long alreadyDone = 0)
    {
        if (label != "train") cancel.Cancel();
        return new Task(this, label == "train");
    }

    /// <summary>Wall-clock durations of the steps after the first: from the previous report's callback returning to the report.</summary>
    public double[] StepSeconds() => Resumed.Zip(Steps.Skip(1), (a, b) => b.Seconds - a.Seconds).ToArray();

    /// <summary>Process CPU time over the same spans.</summary>
    public double[] StepCpuSeconds() => Resumed.Zip(Steps.Skip(1), (a, b) => b.CpuSeconds - a.CpuSeconds).ToArray();

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
            owner.Resumed.Add(owner.OnStep is null ? (owner.Steps[^1].Seconds, owner.Steps[^1].CpuSeconds) : (owner.clock.Elapsed.TotalSeconds, ProcessCpuSeconds()));
        }

        public void Dispose() { }
    }
}
