using Diffusion.Tracking.Tests.Support;

namespace Diffusion.Tracking.Tests.Search;

public abstract class LatestMetricsTests : IDisposable
{
    private readonly TestDatabase _db;

    protected LatestMetricsTests(TestDatabase db) => _db = db;

    public void Dispose() => _db.Dispose();

    [BackendFact]
    public void The_writer_keeps_latest_metrics_equal_to_a_summary_of_every_value()
    {
        // Small batches so that one key's values span many batches and merge into the stored row.
        using var store = _db.Open(TestOptions.Fast with { MaxBatchSize = 7 });
        using var run = store.StartRun(TestOptions.Run());
        var random = new Random(3);
        for (var i = 0; i < 500; i++)
        {
            var key = $"k{random.Next(4)}";
            var value = random.Next(10) == 0 ? double.NaN : random.NextDouble();
            // Steps go back and forth and repeat, as after a resume.
            run.LogMetric(key, value, random.Next(60));
            if (i % 50 == 0) run.Flush();
        }

        run.LogMetric("only-nan", double.NaN, 3);
        run.Complete();

        var expected = _db.Rows(
            $"""
            SELECT key, count(*), min(value), max(value),
                   (SELECT step FROM metrics l WHERE l.run_id = m.run_id AND l.key = m.key ORDER BY step DESC, {_db.InsertionOrder} DESC LIMIT 1),
                   (SELECT value FROM metrics l WHERE l.run_id = m.run_id AND l.key = m.key ORDER BY step DESC, {_db.InsertionOrder} DESC LIMIT 1)
            FROM metrics m GROUP BY m.run_id, key ORDER BY key;
            """);
        var stored = _db.Rows("SELECT key, count, min_value, max_value, step, value FROM latest_metrics ORDER BY key;");
        Assert.Equal(5, expected.Count);
        Assert.Equal(expected, stored);
    }
}

public sealed class SqliteLatestMetricsTests() : LatestMetricsTests(new SqliteTestDatabase());

public sealed class PostgresLatestMetricsTests() : LatestMetricsTests(new PostgresTestDatabase()), IPostgresTests;
