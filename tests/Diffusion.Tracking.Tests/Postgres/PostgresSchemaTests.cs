using System.Globalization;
using Diffusion.Tracking.Tests.Support;

namespace Diffusion.Tracking.Tests.Postgres;

/// <summary>What only the PostgreSQL backend does: its own migrations under an advisory lock, and a server shared by many processes.</summary>
public sealed class PostgresSchemaTests : IPostgresTests, IDisposable
{
    private readonly PostgresTestDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [BackendFact]
    public void The_test_server_answers_and_a_fresh_schema_gets_every_migration_once()
    {
        using (_db.Open())
        {
        }

        Assert.True(TrackingStores.For(_db.Location).Exists);
        Assert.Equal(
            Enumerable.Range(1, Migrations.Latest).Select(v => (long)v),
            _db.Rows("SELECT version FROM schema_version ORDER BY version;").Select(r => (long)r[0]!));
    }

    [BackendFact]
    public async Task Eight_processes_opening_an_empty_database_at_once_migrate_it_once()
    {
        const int processes = 8;
        var children = Enumerable.Range(0, processes).Select(_ => ChildProcess.Start("log", _db.Location, "10", "migrate")).ToList();

        var ids = await Task.WhenAll(children.Select(c => ChildProcess.RunToEndAsync(c, TimeSpan.FromSeconds(120))));

        Assert.Equal(processes, ids.Distinct().Count());
        Assert.Equal((long)Migrations.Latest, _db.Scalar("SELECT count(*) FROM schema_version;"));
        Assert.Equal((long)Migrations.Latest, _db.Scalar("SELECT max(version) FROM schema_version;"));
        Assert.Equal(1L, _db.Scalar("SELECT count(*) FROM experiments;"));
        Assert.Equal(processes * 10L, _db.Scalar("SELECT count(*) FROM metrics;"));
    }

    [BackendFact]
    public void A_database_with_a_newer_schema_is_refused_naming_the_version_to_upgrade_to()
    {
        using (_db.Open())
        {
        }

        _db.Execute("INSERT INTO schema_version (version, description, applied) VALUES (99, 'future', 0);");

        var error = Assert.Throws<TrackingStoreException>(() => _db.Open());
        Assert.Contains("schema version 99", error.Message);
        Assert.Contains($"knows up to version {Migrations.Latest}", error.Message);
        Assert.Contains("upgrade diffusion", error.Message);
    }

    /// <summary>The figure in full: 8 processes x 10,000 metrics at once on one server, 0 rows lost.</summary>
    [BackendFact]
    public async Task Eight_processes_logging_ten_thousand_metrics_each_at_once_lose_no_row()
    {
        const int processes = 8, perProcess = 10_000;
        using (_db.Open())
        {
        }

        var children = Enumerable.Range(0, processes)
            .Select(_ => ChildProcess.Start("log", _db.Location, perProcess.ToString(CultureInfo.InvariantCulture), "eight"))
            .ToList();

        var ids = await Task.WhenAll(children.Select(c => ChildProcess.RunToEndAsync(c, TimeSpan.FromSeconds(180))));

        Assert.Equal(processes, ids.Distinct().Count());
        Assert.Equal((long)processes * perProcess, _db.Scalar("SELECT count(*) FROM metrics;"));
        Assert.Equal((long)processes, _db.Scalar("SELECT count(*) FROM runs WHERE status = 'COMPLETED';"));
        Assert.Equal((long)processes * perProcess, _db.Scalar("SELECT sum(count) FROM latest_metrics;"));
        using var store = _db.Open();
        foreach (var id in ids)
        {
            Assert.Equal(Enumerable.Range(0, perProcess).Select(i => (long)i), store.MetricHistory(id, "loss").Select(p => p.Step));
        }
    }
}
