using Diffusion.Tracking.Tests.Support;

namespace Diffusion.Tracking.Tests;

public sealed class CrashSafetyTests : IDisposable
{
    private const int Flushed = 1000;

    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Killing_the_writing_process_mid_run_keeps_the_database_sound_and_the_flushed_metrics()
    {
        using var child = ChildProcess.Start("log-until-killed", _db.Path, Flushed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await child.StandardOutput.ReadLineAsync(cancel.Token);
        Assert.True(line?.StartsWith("flushed ", StringComparison.Ordinal), $"child said '{line}': {(child.HasExited ? await child.StandardError.ReadToEndAsync() : "")}");
        var runId = line!["flushed ".Length..];

        // Let it write a while longer, then SIGKILL it in the middle of whatever it is doing.
        await Task.Delay(300);
        child.Kill();
        await child.WaitForExitAsync(cancel.Token);

        using var store = _db.Open();
        Assert.Equal("ok", store.IntegrityCheck());
        var history = store.MetricHistory(runId, "loss");
        Assert.True(history.Count >= Flushed, $"only {history.Count} points survived");
        Assert.Equal(Enumerable.Range(0, Flushed).Select(i => (long)i), history.Take(Flushed).Select(p => p.Step));
        var run = store.FindRun(runId)!.Run;
        Assert.Equal(RunStatus.Killed, run.Status);
        Assert.StartsWith("process ended without closing the run", run.Message);
    }
}
