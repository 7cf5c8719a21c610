using Diffusion.Tracking.Tests.Support;

namespace Diffusion.Tracking.Tests.Postgres;

/// <summary><c>runs query</c> on PostgreSQL: one read-only transaction, rolled back, and only reading statements.</summary>
public sealed class PostgresReadOnlySqlTests : IPostgresTests, IDisposable
{
    private readonly PostgresTestDatabase _db = new();

    public PostgresReadOnlySqlTests()
    {
        using var store = _db.Open();
        for (var i = 0; i < 3; i++)
        {
            using var run = store.StartRun(TestOptions.Run($"run {i}"));
            run.LogMetric("loss", i, 0);
            run.Complete();
        }
    }

    public void Dispose() => _db.Dispose();

    [BackendFact]
    public void Reads_give_columns_and_rows_of_each_statement()
    {
        var backend = TrackingStores.For(_db.Location);
        var results = backend.Query("SELECT name, value FROM runs JOIN latest_metrics ON run_id = id ORDER BY value; -- a comment\nSELECT count(*) AS n FROM runs;", 100);

        Assert.Equal(2, results.Count);
        Assert.Equal(["name", "value"], results[0].Columns);
        Assert.Equal(["run 0", "run 1", "run 2"], results[0].Rows.Select(r => r[0]));
        Assert.Equal(3L, Assert.Single(results[1].Rows)[0]);
        var cut = Assert.Single(backend.Query("SELECT id FROM runs;", 2));
        Assert.True(cut.Truncated);
    }

    [BackendFact]
    public void An_endless_query_is_stopped_at_the_time_limit()
    {
        var error = Assert.Throws<SqlQueryException>(() => PostgresReadOnlySql.Run(PostgresLocation.Parse(_db.Location),
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c;", 10, TimeSpan.FromSeconds(0.5)));
        Assert.StartsWith("stopped: the query ran past 0.5 s", error.Message);
    }

    [BackendTheory]
    [InlineData("DELETE FROM runs;")]
    [InlineData("UPDATE runs SET name = 'x';")]
    [InlineData("INSERT INTO tags (run_id, key, value) SELECT id, 'k', 'v' FROM runs;")]
    [InlineData("DROP TABLE metrics;")]
    [InlineData("CREATE TABLE t (x int);")]
    [InlineData("SELECT 1; DELETE FROM runs;")]
    [InlineData("COMMIT; DELETE FROM runs;")]
    [InlineData("SET default_transaction_read_only = off; DELETE FROM runs;")]
    [InlineData("WITH gone AS (DELETE FROM runs RETURNING id) SELECT * FROM gone;")]
    [InlineData("SELECT set_config('transaction_read_only', 'off', true); DELETE FROM tags;")]
    [InlineData("/* hidden */ TRUNCATE metrics;")]
    [InlineData("DO $$ BEGIN DELETE FROM runs; END $$;")]
    [InlineData("SELECT 1 INTO TEMP copy;")]
    [InlineData("EXPLAIN ANALYZE DELETE FROM runs;")]
    public void Any_write_is_refused_and_the_database_is_unchanged(string sql)
    {
        var before = Fingerprint();

        var error = Assert.Throws<SqlQueryException>(() => TrackingStores.For(_db.Location).Query(sql, 100));

        Assert.StartsWith("refused: runs query only reads", error.Message);
        Assert.Contains("unchanged", error.Message);
        Assert.Equal(before, Fingerprint());
        Assert.Equal(3L, _db.Scalar("SELECT count(*) FROM runs;"));
    }

    [BackendFact]
    public void Sql_errors_say_so()
    {
        var error = Assert.Throws<SqlQueryException>(() => TrackingStores.For(_db.Location).Query("SELECT * FROM no_such_table;", 10));
        Assert.StartsWith("SQL error:", error.Message);
        Assert.Contains("no_such_table", error.Message);
    }

    private string Fingerprint() => string.Join("|",
        _db.Rows("SELECT md5(string_agg(id || name || status || coalesce(message, ''), ',' ORDER BY id)) FROM runs;")[0][0],
        _db.Rows("SELECT count(*) FROM metrics;")[0][0],
        _db.Rows("SELECT count(*) FROM tags;")[0][0],
        _db.Rows("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema();")[0][0]);
}
