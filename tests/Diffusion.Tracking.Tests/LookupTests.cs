using Diffusion.Tracking.Tests.Support;

namespace Diffusion.Tracking.Tests;

public abstract class LookupTests : IDisposable
{
    private readonly TestDatabase _db;
    private readonly ITrackingStore _store;

    protected LookupTests(TestDatabase db)
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
    public void A_unique_prefix_finds_its_run_and_an_unknown_one_finds_nothing()
    {
        var id = Completed("only");

        Assert.Equal(id, _store.FindRun(id)!.Run.Id);
        Assert.Equal(id, _store.FindRun(id[..4].ToUpperInvariant())!.Run.Id);
        Assert.Null(_store.FindRun(id[..4] == "zzzz" ? "yyyy" : "zzzz"));
    }

    [BackendFact]
    public void An_ambiguous_prefix_is_an_error_that_lists_the_matches()
    {
        // 17 ids over 16 possible first characters: two share one.
        var ids = Enumerable.Range(0, 17).Select(i => Completed($"run {i}")).ToList();
        var shared = ids.GroupBy(id => id[..1]).First(g => g.Count() > 1);

        var error = Assert.Throws<AmbiguousRunIdException>(() => _store.FindRun(shared.Key));
        Assert.Equal(shared.Key, error.Prefix);
        Assert.Equal(shared.Order(), error.Matches.Select(m => m.Id));
        Assert.All(shared, id => Assert.Contains(id, error.Message));
    }

    [BackendFact]
    public void Runs_are_listed_newest_first_with_a_limit_and_an_experiment_filter()
    {
        var a = Completed("a", "mnist");
        var b = Completed("b", "cifar");
        var c = Completed("c", "mnist");

        Assert.Equal([c, b, a], _store.ListRuns().Select(r => r.Id));
        Assert.Equal([c, b], _store.ListRuns(limit: 2).Select(r => r.Id));
        Assert.Equal([c, a], _store.ListRuns(experiment: "mnist").Select(r => r.Id));
        Assert.Empty(_store.ListRuns(experiment: "imagenet"));
    }

    [BackendFact]
    public void Deleted_runs_are_hidden_from_listing_and_lookup()
    {
        var kept = Completed("kept");
        var gone = Completed("gone");

        _store.DeleteRun(gone);

        Assert.Equal([kept], _store.ListRuns().Select(r => r.Id));
        Assert.Null(_store.FindRun(gone));
        Assert.Throws<RunNotFoundException>(() => _store.DeleteRun(gone));
        Assert.Equal(1L, _db.Scalar("SELECT deleted FROM runs WHERE id = @id;", ("@id", gone)));
    }

    private string Completed(string name, string experiment = "exp")
    {
        var run = _store.StartRun(TestOptions.Run(name, experiment));
        run.Complete();
        return run.RunId;
    }
}

public sealed class SqliteLookupTests() : LookupTests(new SqliteTestDatabase());

public sealed class PostgresLookupTests() : LookupTests(new PostgresTestDatabase()), IPostgresTests;
