using Diffusion.Tracking.Tests.Support;

namespace Diffusion.Tracking.Tests;

public sealed class ConcurrencyTests : IDisposable
{
    private const int PerWriter = 2000;

    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Four_stores_on_one_file_writing_at_once_lose_nothing()
    {
        var eager = TestOptions.Fast with { FlushInterval = TimeSpan.FromMilliseconds(1), MaxBatchSize = 50 };
        using var start = new Barrier(4);
        var writers = Enumerable.Range(0, 4).Select(w => Task.Factory.StartNew(() =>
        {
            using var store = _db.Open(eager);
            using var run = store.StartRun(TestOptions.Run($"writer {w}"));
            start.SignalAndWait();
            for (var step = 0; step < PerWriter; step++)
            {
                run.LogMetric("loss", step, step);
                if (step % 500 == 0)
                {
                    run.LogParam($"p{step}", step);
                }
            }

            run.Complete();
            return run.RunId;
        }, TaskCreationOptions.LongRunning));

        var ids = await Task.WhenAll(writers);

        using var reader = _db.Open();
        Assert.Equal("ok", reader.IntegrityCheck());
        foreach (var id in ids)
        {
            var details = reader.FindRun(id)!;
            Assert.Equal(RunStatus.Completed, details.Run.Status);
            Assert.Equal(PerWriter, Assert.Single(details.Metrics).Count);
            Assert.Equal(4, details.Params.Count);
            Assert.Equal(Enumerable.Range(0, PerWriter).Select(i => (long)i), reader.MetricHistory(id, "loss").Select(p => p.Step));
        }
    }

    [Fact]
    public async Task Threads_sharing_one_recorder_lose_nothing()
    {
        using var store = _db.Open();
        using var run = store.StartRun(TestOptions.Run());

        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var step = 0; step < PerWriter; step++)
            {
                run.LogMetric($"thread {t}", step, step);
            }

            run.Flush();
        })));

        Assert.All(store.FindRun(run.RunId)!.Metrics, m => Assert.Equal(PerWriter, m.Count));
        Assert.Equal(4, store.FindRun(run.RunId)!.Metrics.Count);
    }

    [Fact]
    public async Task Processes_writing_to_a_fresh_database_at_once_lose_nothing()
    {
        var children = Enumerable.Range(0, 3)
            .Select(_ => ChildProcess.Start("log", _db.Path, PerWriter.ToString(System.Globalization.CultureInfo.InvariantCulture), "multi"))
            .ToList();

        var ids = await Task.WhenAll(children.Select(c => ChildProcess.RunToEndAsync(c, TimeSpan.FromSeconds(60))));

        using var store = _db.Open();
        Assert.Equal("ok", store.IntegrityCheck());
        Assert.Equal((long)Migrations.Latest, _db.Scalar("SELECT count(*) FROM schema_version;"));
        Assert.Equal(ids.Order(), store.ListRuns(experiment: "multi").Select(r => r.Id).Order());
        foreach (var id in ids)
        {
            var details = store.FindRun(id)!;
            Assert.Equal(RunStatus.Completed, details.Run.Status);
            Assert.Equal(PerWriter, Assert.Single(details.Metrics).Count);
            Assert.NotEqual(Environment.ProcessId, details.Pid);
        }
    }

    /// <summary>The 8 processes x 10,000 metrics at a tenth of the size (the full figure is a benchmark).</summary>
    [Fact]
    public async Task Eight_processes_logging_at_once_lose_no_row_and_never_fail_on_the_lock()
    {
        const int processes = 8, perProcess = 1000;
        var children = Enumerable.Range(0, processes)
            .Select(_ => ChildProcess.Start("log", _db.Path, perProcess.ToString(System.Globalization.CultureInfo.InvariantCulture), "eight"))
            .ToList();

        // RunToEndAsync fails the test on a non-zero exit, which a 'database is locked' error would cause.
        var ids = await Task.WhenAll(children.Select(c => ChildProcess.RunToEndAsync(c, TimeSpan.FromSeconds(90))));

        Assert.Equal(processes, ids.Distinct().Count());
        Assert.Equal((long)processes * perProcess, _db.Scalar("SELECT count(*) FROM metrics;"));
        Assert.Equal((long)processes, _db.Scalar("SELECT count(*) FROM runs WHERE status = 'COMPLETED';"));
        Assert.Equal((long)processes * perProcess, _db.Scalar("SELECT sum(count) FROM latest_metrics;"));
    }
}
