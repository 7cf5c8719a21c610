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
    [InlineData("postgresql://tracker:s3cret@db.example:6543/runs?sslmode=disable", "postgresql://tracker@db.example:6543/runs?sslmode=disable")]
    [InlineData("postgres://tracker:s3%2Fcret@db.example/runs", "postgresql://tracker@db.example/runs")]
    [InlineData("PostgreSQL://tracker:s3cr@t/x@db.example/runs", "postgresql://tracker@db.example/runs")]
    public void A_postgresql_uri_chooses_postgres_and_its_location_leaves_the_password_out(string location, string shown)
    {
        var backend = TrackingStores.For(location);

        Assert.Equal(shown, backend.Location);
        Assert.DoesNotContain("s3", backend.Location);
        // Kept in this process only: the shown location opens the same store, and a child process gets it as PGPASSWORD.
        Assert.StartsWith("s3", backend.ChildEnvironment["PGPASSWORD"]);
        Assert.Equal(backend.ChildEnvironment["PGPASSWORD"], TrackingStores.For(backend.Location).ChildEnvironment["PGPASSWORD"]);
        Assert.Empty(TrackingStores.For(_db.Path).ChildEnvironment);
    }

    [Theory]
    [InlineData("postgresql://u:hunter2@db.example:notaport/runs", "cannot read the PostgreSQL URI")]
    [InlineData("postgresql://u:hunter2@db.example/runs?colour=blue", "unknown parameter 'colour'")]
    [InlineData("postgresql://u@db.example/runs?password=hunter2", "PGPASSWORD")]
    public void A_bad_postgresql_uri_is_refused_in_one_line_without_the_password(string location, string expected)
    {
        var error = Assert.Throws<TrackingStoreException>(() => TrackingStores.For(location));

        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain("hunter2", error.ToString());
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void An_unreachable_server_is_a_one_line_error_that_says_what_to_fix_without_the_password()
    {
        // Port 1 on the loopback: nothing listens there, so the connection is refused at once.
        var error = Assert.Throws<TrackingStoreException>(() => TrackingStores.Open("postgresql://u:hunter2@127.0.0.1:1/runs"));

        Assert.StartsWith("cannot reach the PostgreSQL server at postgresql://u@127.0.0.1:1/runs", error.Message);
        Assert.Contains("start the server", error.Message);
        Assert.DoesNotContain("hunter2", error.ToString());
        Assert.Throws<TrackingStoreException>(() => TrackingStores.For("postgresql://u:hunter2@127.0.0.1:1/runs").Exists);
    }

    [Theory]
    [InlineData("error at postgresql://me:pw@h:5/db now", "error at postgresql://me@h:5/db now")]
    [InlineData("'postgres://me:p/w@h/db?x=1'", "'postgres://me@h/db?x=1'")]
    [InlineData("postgresql://me@h/db and postgresql://h:5432/db", "postgresql://me@h/db and postgresql://h:5432/db")]
    public void Redact_leaves_passwords_out_of_any_text(string text, string expected) =>
        Assert.Equal(expected, TrackingStores.Redact(text));

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
        Assert.Contains("not a tracking database", error.Message);
        Assert.Contains("mv ", error.Message);
        Assert.Throws<TrackingStoreException>(() => TrackingStores.OpenSweeps(_db.Path, TestOptions.Fast));
    }
}
