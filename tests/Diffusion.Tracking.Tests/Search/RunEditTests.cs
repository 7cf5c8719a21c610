using Diffusion.Tracking.Tests.Support;

namespace Diffusion.Tracking.Tests.Search;

public abstract class RunEditTests : IDisposable
{
    private readonly TestDatabase _db;
    private readonly ITrackingStore _store;

    protected RunEditTests(TestDatabase db)
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
    public void Tags_can_be_set_replaced_and_removed_after_the_run_ended()
    {
        var id = Completed("a");
        _store.SetTags(id, [new("best", "yes"), new("note", "first")]);
        _store.SetTags(id, [new("note", "second")]);
        Assert.Equal(["best=yes", "name=a", "note=second"], _store.FindRun(id)!.Tags.Select(t => $"{t.Key}={t.Value}"));

        Assert.Equal(1, _store.RemoveTags(id, ["best", "missing"]));
        Assert.Equal(["name=a", "note=second"], _store.FindRun(id)!.Tags.Select(t => $"{t.Key}={t.Value}"));
        Assert.Throws<RunNotFoundException>(() => _store.SetTags("0000000000", [new("a", "b")]));
    }

    [BackendFact]
    public void Deleted_runs_leave_searches_and_come_back_when_restored()
    {
        var kept = Completed("kept");
        var gone = Completed("gone");
        _store.DeleteRun(gone);

        Assert.Equal([kept], _store.SearchRuns(new RunSearch()).Rows.Select(r => r.Run.Id));
        Assert.Equal([gone], _store.SearchRuns(new RunSearch { Deleted = true }).Rows.Select(r => r.Run.Id));
        Assert.Throws<RunNotFoundException>(() => _store.SetTags(gone, [new("a", "b")]));
        Assert.Throws<RunNotFoundException>(() => _store.RestoreRun(kept));

        Assert.Equal(gone, _store.RestoreRun(gone[..5]));
        Assert.Equal(2, _store.SearchRuns(new RunSearch()).Rows.Count);
        Assert.Equal(4L, _db.Scalar("SELECT count(*) FROM metrics;"));
    }

    [BackendFact]
    public void Export_gives_every_param_metric_and_tag_of_the_runs_found()
    {
        var a = Completed("a", lr: 0.1);
        Completed("b", lr: 0.2);

        var exported = _store.ExportRuns(new RunSearch { Filter = "params.lr < 0.15" });

        var run = Assert.Single(exported);
        Assert.Equal(a, run.Run.Id);
        Assert.Equal(0.1, Assert.Single(run.Params).Value);
        Assert.Equal(new MetricSummary("loss", 0.5, 1, 0.5, 1.0, 2), Assert.Single(run.Metrics));
        Assert.Equal("a", Assert.Single(run.Tags).Value);
    }

    private string Completed(string name, double lr = 0.01)
    {
        using var run = _store.StartRun(TestOptions.Run(name));
        run.LogParam("lr", lr);
        run.LogMetric("loss", 1.0, 0);
        run.LogMetric("loss", 0.5, 1);
        run.SetTag("name", name);
        run.Complete();
        return run.RunId;
    }
}

public sealed class SqliteRunEditTests() : RunEditTests(new SqliteTestDatabase());

public sealed class PostgresRunEditTests() : RunEditTests(new PostgresTestDatabase()), IPostgresTests;
