using Diffusion.Tracking.Tests.Support;

namespace Diffusion.Tracking.Tests;

public sealed class SchemaTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public void Open_creates_the_folder_and_applies_every_version_in_wal_mode()
    {
        using (var store = _db.Open())
        {
            Assert.Equal(Path.GetFullPath(_db.Path), store.DatabasePath);
            Assert.Equal("ok", store.IntegrityCheck());
        }

        Assert.True(File.Exists(_db.Path));
        Assert.Equal("wal", _db.Scalar("PRAGMA journal_mode;"));
        var versions = _db.Rows("SELECT version FROM schema_version ORDER BY version;").Select(r => (long)r[0]!);
        Assert.Equal(Enumerable.Range(1, Migrations.Latest).Select(v => (long)v), versions);
    }

    [Fact]
    public void Reopening_keeps_data_and_does_not_migrate_again()
    {
        string runId;
        using (var store = _db.Open())
        {
            using var run = store.StartRun(TestOptions.Run());
            runId = run.RunId;
            run.Complete();
        }

        var appliedAt = _db.Scalar("SELECT applied FROM schema_version WHERE version = 1;");
        using (var store = _db.Open())
        {
            Assert.NotNull(store.FindRun(runId));
        }

        Assert.Equal((long)Migrations.Latest, _db.Scalar("SELECT count(*) FROM schema_version;"));
        Assert.Equal(appliedAt, _db.Scalar("SELECT applied FROM schema_version WHERE version = 1;"));
    }

    [Fact]
    public async Task Many_threads_opening_a_fresh_database_at_once_all_succeed_and_migrate_once()
    {
        const int openers = 8;
        using var start = new Barrier(openers);
        var tasks = Enumerable.Range(0, openers).Select(i => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            using var store = _db.Open();
            using var run = store.StartRun(TestOptions.Run($"opener {i}"));
            run.Complete();
        }, TaskCreationOptions.LongRunning));

        await Task.WhenAll(tasks);

        Assert.Equal((long)Migrations.Latest, _db.Scalar("SELECT count(*) FROM schema_version;"));
        Assert.Equal((long)Migrations.Latest, _db.Scalar("SELECT max(version) FROM schema_version;"));
        Assert.Equal((long)openers, _db.Scalar("SELECT count(*) FROM runs;"));
        Assert.Equal(1L, _db.Scalar("SELECT count(*) FROM experiments;"));
    }

    [Fact]
    public void A_database_from_a_newer_build_is_refused()
    {
        _db.Open().Dispose();
        _db.Execute("INSERT INTO schema_version (version, description, applied) VALUES (99, 'future', 0);");

        var error = Assert.Throws<TrackingStoreException>(() => _db.Open());
        Assert.Contains("schema version 99; this build knows up to", error.Message);
    }

    [Fact]
    public void Migrations_are_an_ordered_list_ending_at_the_latest_version()
    {
        var versions = Migrations.All.Select(m => m.Version).ToList();
        Assert.Equal(Enumerable.Range(1, versions.Count), versions);
        Assert.Equal(versions[^1], Migrations.Latest);
    }

    [Fact]
    public void Version_2_fills_latest_metrics_from_the_values_a_version_1_database_holds()
    {
        // A version 1 database, written by hand as the version 1 writer did.
        using (var connection = _db.RawCreate())
        {
            connection.Execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied INTEGER NOT NULL);");
            connection.Execute(Migrations.All[0].Sql);
            connection.Execute("INSERT INTO schema_version VALUES (1, 'v1', 0);");
            connection.Execute("INSERT INTO experiments (id, name, created) VALUES (1, 'exp', 0);");
            connection.Execute(
                """
                INSERT INTO runs (id, experiment_id, name, status, start_time, seed, pipeline_path, pipeline_text, pipeline_hash, code_version, host, pid)
                VALUES ('aaaaaaaaaa', 1, 'old', 'COMPLETED', 0, 1, 'p.yaml', '', '', 'v1', 'h', 1);
                INSERT INTO metrics (run_id, key, step, value, time) VALUES
                    ('aaaaaaaaaa', 'loss', 1, 0.9, 1), ('aaaaaaaaaa', 'loss', 3, 0.5, 2), ('aaaaaaaaaa', 'loss', 3, 0.4, 3),
                    ('aaaaaaaaaa', 'loss', 2, NULL, 4), ('aaaaaaaaaa', 'loss', 0, 1.5, 5);
                """);
        }

        using var store = _db.Open();

        var loss = Assert.Single(store.FindRun("aaaaaaaaaa")!.Metrics);
        Assert.Equal(new MetricSummary("loss", 0.4, 3, 0.4, 1.5, 5), loss);
        Assert.Single(store.SearchRuns(new RunSearch { Filter = "metrics.loss < 0.45" }).Rows);
    }

    [Fact]
    public void Options_that_would_misreport_runs_are_refused()
    {
        var options = TestOptions.Fast with { StaleAfter = TimeSpan.FromMilliseconds(10) };
        Assert.Throws<ArgumentOutOfRangeException>(() => _db.Open(options));
    }
}
