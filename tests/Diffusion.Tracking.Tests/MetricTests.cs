using System.Diagnostics;
using Diffusion.Tracking.Tests.Support;

namespace Diffusion.Tracking.Tests;

public abstract class MetricTests : IDisposable
{
    private readonly TestDatabase _db;
    private readonly ITrackingStore _store;

    protected MetricTests(TestDatabase db)
    {
        _db = db;
        _store = db.Open();
    }

    public void Dispose()
    {
        _store.Dispose();
        _db.Dispose();
    }

    [BackendFact]
    public void Every_metric_of_a_training_loop_is_there_in_order_after_Flush()
    {
        using var run = _store.StartRun(TestOptions.Run());
        for (var step = 0; step < 5000; step++)
        {
            run.LogMetric("loss", 1.0 / (step + 1), step);
        }

        run.Flush();

        var history = _store.MetricHistory(run.RunId, "loss");
        Assert.Equal(5000, history.Count);
        Assert.Equal(Enumerable.Range(0, 5000).Select(i => (long)i), history.Select(p => p.Step));
        Assert.All(history, p => Assert.Equal(1.0 / (p.Step + 1), p.Value));
        Assert.True(history.Zip(history.Skip(1)).All(pair => pair.First.Time <= pair.Second.Time));
    }

    [BackendFact]
    public void Run_details_summarise_each_metric()
    {
        using var run = _store.StartRun(TestOptions.Run());
        run.LogMetric("loss", 3, 0);
        run.LogMetric("loss", 1, 1);
        run.LogMetric("loss", 2, 2);
        run.LogMetric("fid", 40, 10);
        run.LogMetric("fid", 30, 10);
        run.Flush();

        var metrics = _store.FindRun(run.RunId)!.Metrics;
        Assert.Equal(
            [new MetricSummary("fid", Last: 30, LastStep: 10, Min: 30, Max: 40, Count: 2), new MetricSummary("loss", Last: 2, LastStep: 2, Min: 1, Max: 3, Count: 3)],
            metrics);
    }

    [BackendFact]
    public void Non_finite_values_are_kept()
    {
        using var run = _store.StartRun(TestOptions.Run());
        run.LogMetric("loss", double.NaN, 0);
        run.LogMetric("loss", double.PositiveInfinity, 1);
        run.LogMetric("loss", 0.25, 2);
        run.Flush();

        Assert.Equal([double.NaN, double.PositiveInfinity, 0.25], _store.MetricHistory(run.RunId, "loss").Select(p => p.Value));
        var summary = Assert.Single(_store.FindRun(run.RunId)!.Metrics);
        Assert.Equal(3, summary.Count);
        Assert.Equal(0.25, summary.Last);
    }

    [BackendFact]
    public async Task Logging_does_not_wait_for_a_database_another_process_holds_locked()
    {
        using var run = _store.StartRun(TestOptions.Run());
        var locker = _db.HoldWriteLock();

        var clock = Stopwatch.StartNew();
        var logging = Task.Run(() =>
        {
            for (var step = 0; step < 5000; step++)
            {
                run.LogMetric("loss", step, step);
            }
        });
        await logging.WaitAsync(TimeSpan.FromSeconds(5));
        var loggingTime = clock.Elapsed;
        await Task.Delay(300);

        locker.Dispose();

        run.Flush();
        Assert.True(loggingTime < TimeSpan.FromSeconds(5), $"logging took {loggingTime}");
        Assert.Equal(5000, _store.MetricHistory(run.RunId, "loss").Count);
    }

    [BackendFact]
    public async Task Flush_reports_values_the_writer_could_not_write()
    {
        var impatient = TestOptions.Fast with { BusyTimeout = TimeSpan.FromMilliseconds(100), WriteRetryLimit = TimeSpan.Zero };
        using var store = _db.Open(impatient);
        using var run = store.StartRun(TestOptions.Run());
        using (_db.HoldWriteLock())
        {
            run.LogMetric("loss", 1, 0);

            var flush = Task.Run(run.Flush);
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => flush.WaitAsync(TimeSpan.FromSeconds(20)));
            Assert.Contains(run.RunId, error.Message);
        }

        run.LogMetric("loss", 2, 1);
        run.Flush();
        Assert.Equal([1L], store.MetricHistory(run.RunId, "loss").Select(p => p.Step));
    }
}

public sealed class SqliteMetricTests() : MetricTests(new SqliteTestDatabase());

public sealed class PostgresMetricTests() : MetricTests(new PostgresTestDatabase()), IPostgresTests;
