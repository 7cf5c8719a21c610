using Diffusion.Tracking.Tests.Support;

namespace Diffusion.Tracking.Tests;

/// <summary>What a dashboard needs from a store: opening it read-only, paging through a search, listing sweeps.</summary>
public abstract class ReadOnlyStoreTests : IDisposable
{
    private static readonly TrackingOptions ReadOnly = TestOptions.Fast with { ReadOnly = true };

    private readonly TestDatabase _db;
    private readonly ITrackingStore _store;

    protected ReadOnlyStoreTests(TestDatabase db)
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
    public void Pages_of_a_search_follow_each_other_without_gaps_or_repeats()
    {
        for (var i = 0; i < 7; i++)
        {
            using var run = _store.StartRun(TestOptions.Run($"r{i}"));
            run.LogMetric("loss", i % 3, 0);
            run.Complete();
        }

        var all = _store.SearchRuns(new RunSearch { OrderBy = "metrics.loss", Limit = 100 }).Rows.Select(r => r.Run.Id).ToList();
        var paged = Enumerable.Range(0, 3)
            .SelectMany(page => _store.SearchRuns(new RunSearch { OrderBy = "metrics.loss", Limit = 3, Offset = page * 3 }).Rows)
            .Select(r => r.Run.Id)
            .ToList();

        Assert.Equal(7, all.Count);
        Assert.Equal(all, paged);
        Assert.Empty(_store.SearchRuns(new RunSearch { Limit = 3, Offset = 7 }).Rows);
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.SearchRuns(new RunSearch { Offset = -1 }));
    }

    [BackendFact]
    public void A_read_only_store_reads_everything_and_refuses_every_write()
    {
        string id;
        using (var run = _store.StartRun(TestOptions.Run("kept")))
        {
            run.LogParam("lr", 0.01);
            run.LogMetric("loss", 0.5, 1);
            run.SetTag("note", "x");
            run.Complete();
            id = run.RunId;
        }

        using var reader = TrackingStores.Open(_db.Location, ReadOnly);

        var details = reader.FindRun(id)!;
        Assert.Equal(("kept", RunStatus.Completed), (details.Run.Name, details.Run.Status));
        Assert.Equal(0.5, Assert.Single(details.Metrics).Last);
        Assert.Single(reader.SearchRuns(new RunSearch { Filter = "params.lr = 0.01" }).Rows);
        Assert.Equal([0.5], reader.MetricHistory(id, "loss").Select(p => p.Value));
        Assert.ThrowsAny<Exception>(() => reader.SetTags(id, [new("note", "changed")]));
        Assert.ThrowsAny<Exception>(() => reader.DeleteRun(id));
        Assert.ThrowsAny<Exception>(() => reader.StartRun(TestOptions.Run("new")).Dispose());
        Assert.Equal("x", _db.Scalar("SELECT value FROM tags WHERE run_id = @id;", ("@id", id)));
        Assert.Equal(1L, _db.Scalar("SELECT count(*) FROM runs;"));
        Assert.Equal(0L, _db.Scalar("SELECT count(*) FROM runs WHERE deleted <> 0;"));
    }

    [BackendFact]
    public void A_dead_run_is_reported_killed_by_a_read_only_store_but_not_recorded_so()
    {
        var run = _store.StartRun(TestOptions.Run());
        run.Dispose();
        _db.Execute("UPDATE runs SET host = 'elsewhere', heartbeat = @hb WHERE id = @id;",
            ("@hb", DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds()), ("@id", run.RunId));

        using var reader = TrackingStores.Open(_db.Location, ReadOnly);

        Assert.Equal(RunStatus.Killed, reader.FindRun(run.RunId)!.Run.Status);
        Assert.Equal(RunStatus.Killed, Assert.Single(reader.SearchRuns(new RunSearch()).Rows).Run.Status);
        Assert.StartsWith("process ended without closing the run", Assert.Single(reader.ListRuns()).Message);
        Assert.Equal("RUNNING", _db.Scalar("SELECT status FROM runs WHERE id = @id;", ("@id", run.RunId)));
    }

    [BackendFact]
    public void Sweeps_are_listed_newest_first_and_read_only_sweeps_refuse_writes()
    {
        using var sweeps = _db.OpenSweeps();
        var ids = new List<string>();
        foreach (var objective in new[] { "loss", "fd" })
        {
            using var parent = _store.StartRun(TestOptions.Run("sweep"));
            parent.Complete();
            sweeps.Create(new SweepDefinition(parent.RunId, "p.yaml", "name: p\n", [], "grid", objective, false, 2, false, TimeSpan.FromSeconds(30)),
                ["""{"x":"1"}""", """{"x":"2"}"""]);
            ids.Add(parent.RunId);
            Thread.Sleep(5);
        }

        using var reader = TrackingStores.OpenSweeps(_db.Location, ReadOnly);

        Assert.Equal([ids[1], ids[0]], reader.List().Select(s => s.Definition.Id));
        Assert.Equal(["fd", "loss"], reader.List().Select(s => s.Definition.Objective));
        Assert.Equal(2, reader.Trials(ids[0]).Count);
        Assert.ThrowsAny<Exception>(() => reader.Claim(ids[0], "w", null));
        Assert.Equal(0L, _db.Scalar("SELECT count(*) FROM sweep_trials WHERE state <> 'PENDING';"));
    }
}

public sealed class SqliteReadOnlyStoreTests() : ReadOnlyStoreTests(new SqliteTestDatabase())
{
    [Fact]
    public void A_read_only_store_never_creates_a_database()
    {
        var path = Path.Combine(Path.GetTempPath(), "diffusion-tracking-tests", Guid.NewGuid().ToString("N"), "tracking.db");

        var error = Assert.Throws<TrackingStoreException>(() => TrackingStores.Open(path, new TrackingOptions { ReadOnly = true }));

        Assert.Contains("no tracking database at", error.Message);
        Assert.False(File.Exists(path));
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));
    }
}

public sealed class PostgresReadOnlyStoreTests() : ReadOnlyStoreTests(new PostgresTestDatabase()), IPostgresTests;
