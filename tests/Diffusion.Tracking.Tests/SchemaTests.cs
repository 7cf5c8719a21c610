using Diffusion.Tracking.Tests.Support;

namespace Diffusion.Tracking.Tests;

public sealed class SchemaTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public void Open_creates_the_folder_and_applies_version_1_in_wal_mode()
    {
        using (var store = _db.Open())
        {
            Assert.Equal(Path.GetFullPath(_db.Path), store.DatabasePath);
            Assert.Equal("ok", store.IntegrityCheck());
        }

        Assert.True(File.Exists(_db.Path));
        Assert.Equal("wal", _db.Scalar("PRAGMA journal_mode;"));
        var versions = _db.Rows("SELECT version FROM schema_version;");
        Assert.Equal(1L, Assert.Single(versions)[0]);
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

        Assert.Equal(1L, _db.Scalar("SELECT count(*) FROM schema_version;"));
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

        Assert.Equal(1L, _db.Scalar("SELECT count(*) FROM schema_version;"));
        Assert.Equal(1L, _db.Scalar("SELECT max(version) FROM schema_version;"));
        Assert.Equal((long)openers, _db.Scalar("SELECT count(*) FROM runs;"));
        Assert.Equal(1L, _db.Scalar("SELECT count(*) FROM experiments;"));
    }

    [Fact]
    public void A_database_from_a_newer_build_is_refused()
    {
        _db.Open().Dispose();
        _db.Execute("INSERT INTO schema_version (version, description, applied) VALUES (99, 'future', 0);");

        var error = Assert.Throws<InvalidOperationException>(() => _db.Open());
        Assert.Contains("99", error.Message);
    }

    [Fact]
    public void Migrations_are_an_ordered_list_ending_at_the_latest_version()
    {
        var versions = Migrations.All.Select(m => m.Version).ToList();
        Assert.Equal(Enumerable.Range(1, versions.Count), versions);
        Assert.Equal(versions[^1], Migrations.Latest);
    }

    [Fact]
    public void Options_that_would_misreport_runs_are_refused()
    {
        var options = TestOptions.Fast with { StaleAfter = TimeSpan.FromMilliseconds(10) };
        Assert.Throws<ArgumentOutOfRangeException>(() => _db.Open(options));
    }
}
