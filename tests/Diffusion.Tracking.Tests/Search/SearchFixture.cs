using Diffusion.Tracking.Tests.Support;

namespace Diffusion.Tracking.Tests.Search;

/// <summary>
/// Five runs to search, made once for the class:
/// <code>
/// name    lr      batch  opt     loss (last/min/max)  train/loss  note tag      status     duration
/// alpha   0.0001  8      adam    0.5 / 0.2 / 1.0      0.30        "baseline"   COMPLETED  10 s
/// beta    0.001   16     sgd     0.3 / 0.3 / 0.9      0.25        "EMA on"     COMPLETED  100 s
/// gamma   0.01    32     adam    0.1 / 0.1 / 0.8      -           -            FAILED     1000 s
/// delta   0.001   128    "8"     NaN                  0.10        "ema off"    COMPLETED  60 s
/// eps     -       -      -       -                    -           -            COMPLETED  5 s (child of alpha)
/// </code>
/// </summary>
public abstract class SearchFixture : IDisposable
{
    protected SearchFixture(Func<TestDatabase> database, bool skipped)
    {
        if (skipped)
        {
            Database = null!;
            Store = null!;
            return;
        }

        Database = database();
        Store = Database.Open();
        Ids["alpha"] = Add("alpha", 0.0001, 8, "adam", [1.0, 0.2, 0.5], 0.30, "baseline", RunStatus.Completed, 10);
        Ids["beta"] = Add("beta", 0.001, 16, "sgd", [0.9, 0.3], 0.25, "EMA on", RunStatus.Completed, 100);
        Ids["gamma"] = Add("gamma", 0.01, 32, "adam", [0.8, 0.1], null, null, RunStatus.Failed, 1000);
        Ids["delta"] = Add("delta", 0.001, 128, "8", [double.NaN], 0.10, "ema off", RunStatus.Completed, 60);
        Ids["eps"] = Add("eps", null, null, null, [], null, null, RunStatus.Completed, 5, parent: Ids["alpha"]);
    }

    public TestDatabase Database { get; }

    public ITrackingStore Store { get; }

    public Dictionary<string, string> Ids { get; } = [];

    /// <summary>The names of the runs a filter finds, in the order found.</summary>
    public List<string> Names(string? filter, string? orderBy = null) =>
        Store.SearchRuns(new RunSearch { Filter = filter, OrderBy = orderBy }).Rows.Select(r => r.Run.Name).ToList();

    public void Dispose()
    {
        Store?.Dispose();
        Database?.Dispose();
    }

    private string Add(string name, double? lr, long? batch, string? optimizer, double[] losses, double? trainLoss, string? note,
        RunStatus status, int seconds, string? parent = null)
    {
        using var run = Store.StartRun(TestOptions.Run(name, "search", parent));
        if (lr is { } l) run.LogParam("stages.train.lr", l);
        if (batch is { } b) run.LogParam("stages.train.batch_size", b);
        if (optimizer is not null) run.LogParam("optimizer", optimizer);
        for (var i = 0; i < losses.Length; i++) run.LogMetric("loss", losses[i], i);
        if (trainLoss is { } t) run.LogMetric("train/loss", t, 1);
        if (note is not null) run.SetTag("note", note);
        if (status == RunStatus.Failed) run.Fail("boom");
        else run.Complete();

        // Start times one minute apart, in creation order.
        var start = 1_700_000_000_000 + (Ids.Count * 60_000L);
        Database.Execute("UPDATE runs SET start_time = @s, end_time = @e WHERE id = @id;",
            ("@s", start), ("@e", start + (seconds * 1000L)), ("@id", run.RunId));
        return run.RunId;
    }
}

public sealed class SqliteSearchFixture() : SearchFixture(() => new SqliteTestDatabase(), skipped: false);

/// <summary>Made only where the PostgreSQL tests run (xunit makes a class fixture even when every test of the class is skipped).</summary>
public sealed class PostgresSearchFixture() : SearchFixture(() => new PostgresTestDatabase(), skipped: TestPostgres.SkipReason is not null);
