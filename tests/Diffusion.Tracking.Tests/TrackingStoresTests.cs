using Diffusion.Tracking.Tests.Support;

namespace Diffusion.Tracking.Tests;

public sealed class TrackingStoresTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public void A_file_path_opens_a_sqlite_store_whose_run_folders_go_beside_the_database()
    {
        var backend = TrackingStores.For(_db.Path);
        Assert.Equal(Path.GetFullPath(_db.Path), backend.Location);
        Assert.Equal(Path.GetDirectoryName(Path.GetFullPath(_db.Path)), backend.DefaultArtifactRoot);
        Assert.False(backend.Exists);

        string runId;
        using (var store = TrackingStores.Open(_db.Path, TestOptions.Fast))
        {
            Assert.IsType<SqliteTrackingStore>(store);
            Assert.Equal(backend.Location, store.Location);
            using var run = store.StartRun(TestOptions.Run());
            runId = run.RunId;
            run.Complete();
        }

        Assert.True(backend.Exists);
        using (var sweeps = TrackingStores.OpenSweeps(_db.Path, TestOptions.Fast))
        {
            Assert.IsType<SqliteSweepStore>(sweeps);
        }

        var rows = backend.Query("SELECT id FROM runs;", 10);
        Assert.Equal(runId, Assert.Single(Assert.Single(rows).Rows)[0]);
    }

    [Theory]
    [InlineData("postgresql://tracker@db.example/runs")]
    [InlineData("postgres://localhost/runs")]
    [InlineData("PostgreSQL://localhost/runs")]
    public void A_postgresql_uri_is_refused_with_a_clear_message(string location)
    {
        var error = Assert.Throws<TrackingStoreException>(() => TrackingStores.For(location));
        Assert.Equal("PostgreSQL tracking is not available yet in this build (issue 17); use a SQLite file path", error.Message);
        Assert.Throws<TrackingStoreException>(() => TrackingStores.Open(location));
    }

    [Fact]
    public void A_uri_of_an_unknown_scheme_is_refused()
    {
        var error = Assert.Throws<TrackingStoreException>(() => TrackingStores.For("mysql://localhost/runs"));
        Assert.Contains("'mysql://'", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_database_fails_with_the_backend_neutral_exception()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_db.Path)!);
        File.WriteAllText(_db.Path, new string('x', 4096));

        var error = Assert.Throws<TrackingStoreException>(() => TrackingStores.Open(_db.Path, TestOptions.Fast));
        Assert.Contains("file is not a database", error.Message);
        Assert.Throws<TrackingStoreException>(() => TrackingStores.OpenSweeps(_db.Path, TestOptions.Fast));
    }
}
