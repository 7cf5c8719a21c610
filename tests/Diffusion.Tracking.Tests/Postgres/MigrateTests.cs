using Diffusion.Tracking.Tests.Support;

namespace Diffusion.Tracking.Tests.Postgres;

/// <summary><see cref="TrackingCopy"/> (<c>runs migrate</c>): a local SQLite file copied to PostgreSQL.</summary>
public sealed class MigrateTests : IPostgresTests, IDisposable
{
    private static readonly string Sha = new('c', 64);

    private readonly SqliteTestDatabase _sqlite = new();
    private readonly PostgresTestDatabase _postgres = new();

    public void Dispose()
    {
        _postgres.Dispose();
        _sqlite.Dispose();
    }

    [BackendFact]
    public void A_round_trip_copies_every_row_with_equal_checksums_and_a_second_copy_copies_nothing()
    {
        var ids = Fill();

        var first = TrackingCopy.Copy(_sqlite.Location, _postgres.Location);

        Assert.Equal((ids.Count, 0, 1), (first.Copied, first.AlreadyThere, first.SweepsCopied));
        Assert.Empty(first.Failed);
        Assert.Empty(first.Mismatched);
        Assert.Equal(first.SourceRuns, first.TargetRuns);
        foreach (var table in new[] { "experiments", "runs", "params", "metrics", "latest_metrics", "tags", "artifacts", "sweeps", "sweep_trials" })
        {
            Assert.Equal(_sqlite.Scalar($"SELECT count(*) FROM {table};"), _postgres.Scalar($"SELECT count(*) FROM {table};"));
        }

        using (var sqlite = _sqlite.Open())
        using (var postgres = _postgres.Open())
        {
            var search = new RunSearch { Filter = "params.lr < 0.05 OR metrics.loss.min <= 0.5", OrderBy = "params.lr DESC", Deleted = false };
            Assert.Equal(sqlite.SearchRuns(search).Rows.Select(r => r.Run), postgres.SearchRuns(search).Rows.Select(r => r.Run));
            Assert.Equal(sqlite.FindRun(ids[0]), postgres.FindRun(ids[0]), new DetailsComparer());
            Assert.Equal(sqlite.MetricHistory(ids[0], "loss"), postgres.MetricHistory(ids[0], "loss"));
        }

        var second = TrackingCopy.Copy(_sqlite.Location, _postgres.Location);
        Assert.Equal((0, ids.Count, 0, 0L), (second.Copied, second.AlreadyThere, second.SweepsCopied, second.MetricRows));
        Assert.Empty(second.Mismatched);
        Assert.Equal(_sqlite.Scalar("SELECT count(*) FROM metrics;"), _postgres.Scalar("SELECT count(*) FROM metrics;"));
    }

    [BackendFact]
    public void A_run_that_fails_midway_leaves_none_of_its_rows_and_the_others_are_copied()
    {
        var ids = Fill();
        using (var store = _sqlite.Open())
        using (var broken = store.StartRun(TestOptions.Run("broken")))
        {
            broken.LogParam("lr", 0.5);
            for (var step = 0; step < 50; step++) broken.LogMetric("loss", step, step);
            // PostgreSQL text cannot hold a NUL character: the run's COPY fails after its first rows were sent.
            broken.LogMetric("bad\0key", 1, 60);
            broken.Complete();
            ids.Add(broken.RunId);
        }

        var copy = TrackingCopy.Copy(_sqlite.Location, _postgres.Location);

        var failed = Assert.Single(copy.Failed);
        Assert.Equal(ids[^1], failed.RunId);
        Assert.Equal(ids.Count - 1, copy.Copied);
        foreach (var table in new[] { "runs", "params", "metrics", "latest_metrics" })
        {
            Assert.Equal(0L, _postgres.Scalar($"SELECT count(*) FROM {table} WHERE {(table == "runs" ? "id" : "run_id")} = @id;", ("@id", failed.RunId)));
        }

        Assert.Empty(copy.Mismatched);
    }

    /// <summary>Four runs (one a child, one deleted), with every kind of value, and a sweep; returns the run ids.</summary>
    private List<string> Fill()
    {
        using var store = _sqlite.Open();
        using var sweeps = _sqlite.OpenSweeps();
        var ids = new List<string>();
        using (var parent = store.StartRun(TestOptions.Run("sweep", "search")))
        {
            parent.LogParam("lr", 0.01);
            parent.LogParam("layers", 3);
            parent.LogParam("ema", true);
            parent.LogParam("optimizer", "adam");
            for (var step = 0; step < 300; step++) parent.LogMetric("loss", step % 7 == 0 ? double.NaN : 1.0 / (step + 1), step / 2);
            parent.SetTag("note", "first");
            parent.RecordArtifact("samples/0.png", "sample", Sha, 123);
            parent.Complete();
            ids.Add(parent.RunId);
        }

        using (var child = store.StartRun(TestOptions.Run("trial", "search", parent: ids[0])))
        {
            child.LogParam("lr", 0.1);
            child.LogMetric("loss", 0.4, 0);
            child.Fail("diverged");
            ids.Add(child.RunId);
        }

        using (var gone = store.StartRun(TestOptions.Run("gone", "other")))
        {
            gone.LogMetric("loss", 0.9, 0);
            gone.Complete();
            ids.Add(gone.RunId);
        }

        store.DeleteRun(ids[2]);
        using (var open = store.StartRun(TestOptions.Run("still open")))
        {
            open.LogMetric("loss", 2, 0);
            open.Flush();
            ids.Add(open.RunId);
        }

        var definition = new SweepDefinition(ids[0], "p.yaml", "name: p\n", ["seed=1"], "grid", "loss", false, 2, false, TimeSpan.FromSeconds(30));
        sweeps.Create(definition, ["""{"lr":"0.1"}""", """{"lr":"0.2"}"""]);
        var claim = sweeps.Claim(ids[0], "host:1:1", null).Trial!;
        sweeps.AttachRun(ids[0], claim.Number, "host:1:1", ids[1]);
        sweeps.Finish(ids[0], claim.Number, "host:1:1", TrialState.Failed, null, "diverged");
        return ids;
    }

    private sealed class DetailsComparer : IEqualityComparer<RunDetails?>
    {
        public bool Equals(RunDetails? x, RunDetails? y) =>
            x is not null && y is not null && x.Run == y.Run && x.PipelineHash == y.PipelineHash && x.Host == y.Host &&
            x.Params.SequenceEqual(y.Params) && x.Metrics.SequenceEqual(y.Metrics) && x.Tags.SequenceEqual(y.Tags) && x.Artifacts.SequenceEqual(y.Artifacts);

        public int GetHashCode(RunDetails? obj) => 0;
    }
}
