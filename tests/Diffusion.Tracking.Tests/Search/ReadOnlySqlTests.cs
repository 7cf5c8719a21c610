using System.Security.Cryptography;
using Diffusion.Tracking.Tests.Support;

namespace Diffusion.Tracking.Tests.Search;

public sealed class ReadOnlySqlTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public ReadOnlySqlTests()
    {
        using var store = _db.Open();
        for (var i = 0; i < 3; i++)
        {
            using var run = store.StartRun(TestOptions.Run($"run {i}"));
            run.LogMetric("loss", i, 0);
            run.Complete();
        }
    }

    public void Dispose() => _db.Dispose();

    [Fact]
    public void Reads_give_columns_and_rows_of_each_statement()
    {
        var results = ReadOnlySql.Run(_db.Path, "SELECT name, value FROM runs JOIN latest_metrics ON run_id = id ORDER BY value; -- a comment\nSELECT count(*) AS n FROM runs;");

        Assert.Equal(2, results.Count);
        Assert.Equal(["name", "value"], results[0].Columns);
        Assert.Equal(["run 0", "run 1", "run 2"], results[0].Rows.Select(r => r[0]));
        Assert.Equal(3L, Assert.Single(results[1].Rows)[0]);
    }

    [Fact]
    public void Rows_past_the_limit_are_cut_and_said_to_be()
    {
        var result = Assert.Single(ReadOnlySql.Run(_db.Path, "SELECT id FROM runs;", maxRows: 2));
        Assert.Equal(2, result.Rows.Count);
        Assert.True(result.Truncated);
    }

    [Theory]
    [InlineData("DELETE FROM runs;")]
    [InlineData("UPDATE runs SET name = 'x';")]
    [InlineData("INSERT INTO tags (run_id, key, value) SELECT id, 'k', 'v' FROM runs;")]
    [InlineData("DROP TABLE metrics;")]
    [InlineData("CREATE TABLE t (x);")]
    [InlineData("CREATE TEMP TABLE t (x);")]
    [InlineData("PRAGMA user_version = 7;")]
    [InlineData("VACUUM;")]
    [InlineData("SELECT 1; DELETE FROM runs;")]
    [InlineData("PRAGMA query_only = OFF; DELETE FROM runs;")]
    [InlineData("WITH x AS (SELECT 1) DELETE FROM runs WHERE id IN (SELECT * FROM x);")]
    [InlineData("REINDEX;")]
    public void Any_write_is_refused_and_the_file_is_unchanged(string sql)
    {
        var before = Hash();

        var error = Assert.Throws<SqlQueryException>(() => ReadOnlySql.Run(_db.Path, sql));

        Assert.StartsWith("refused: runs query only reads", error.Message);
        Assert.Contains("unchanged", error.Message);
        Assert.Equal(before, Hash());
        Assert.Equal(3L, _db.Scalar("SELECT count(*) FROM runs;"));
    }

    [Fact]
    public void A_vacuum_into_another_file_is_refused_too()
    {
        var copy = Path.Combine(_db.Folder, "copy.db");
        var error = Assert.Throws<SqlQueryException>(() => ReadOnlySql.Run(_db.Path, $"VACUUM INTO '{copy}';"));
        Assert.StartsWith("refused", error.Message);
        Assert.False(File.Exists(copy));
    }

    [Fact]
    public void Sql_errors_say_so()
    {
        var error = Assert.Throws<SqlQueryException>(() => ReadOnlySql.Run(_db.Path, "SELEC * FROM runs;"));
        Assert.StartsWith("SQL error:", error.Message);
        Assert.Contains("SELEC", error.Message);
        Assert.Throws<FileNotFoundException>(() => ReadOnlySql.Run(Path.Combine(_db.Folder, "none.db"), "SELECT 1;"));
    }

    [Theory]
    [InlineData("ATTACH DATABASE '{other}' AS o; SELECT * FROM o.secrets;", "attaches another database file")]
    [InlineData("PRAGMA writable_schema = 1;", "PRAGMA writable_schema = 1")]
    [InlineData("PRAGMA cache_size = 1000000;", "PRAGMA cache_size")]
    [InlineData("SELECT load_extension('/tmp/x.so');", "load_extension")]
    public void Reads_outside_the_database_and_settings_are_refused(string sql, string why)
    {
        var other = Path.Combine(_db.Folder, "other.db");
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={other}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE secrets (x); INSERT INTO secrets VALUES ('hidden');";
            command.ExecuteNonQuery();
        }
        var before = Hash();

        var error = Assert.Throws<SqlQueryException>(() => ReadOnlySql.Run(_db.Path, sql.Replace("{other}", other)));

        Assert.StartsWith("refused: runs query only reads the tracking database", error.Message);
        Assert.Contains(why, error.Message);
        Assert.DoesNotContain("hidden", error.Message);
        Assert.Equal(before, Hash());
    }

    [Fact]
    public void Inspecting_pragmas_still_work()
    {
        var columns = Assert.Single(ReadOnlySql.Run(_db.Path, "PRAGMA table_info(runs);"));
        Assert.Contains(columns.Rows, row => (string?)row[1] == "name");
        Assert.Single(ReadOnlySql.Run(_db.Path, "PRAGMA user_version;"));
    }

    [Fact]
    public void An_endless_query_is_stopped_at_the_time_limit()
    {
        var error = Assert.Throws<SqlQueryException>(() => ReadOnlySql.Run(_db.Path,
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c;", timeLimit: TimeSpan.FromSeconds(0.5)));
        Assert.StartsWith("stopped: the query ran past 0.5 s", error.Message);
    }

    [Fact]
    public void A_huge_value_is_refused_not_allocated()
    {
        var error = Assert.Throws<SqlQueryException>(() => ReadOnlySql.Run(_db.Path, "SELECT length(randomblob(1e9));"));
        Assert.StartsWith("refused: the query makes a value larger than 16 MB", error.Message);
        Assert.Equal(1_000_000L, Assert.Single(Assert.Single(ReadOnlySql.Run(_db.Path, "SELECT length(randomblob(1e6));")).Rows)[0]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n ")]
    public void An_empty_query_is_an_error(string sql)
    {
        var error = Assert.Throws<SqlQueryException>(() => ReadOnlySql.Run(_db.Path, sql));
        Assert.StartsWith("the query is empty", error.Message);
    }

    private string Hash()
    {
        using var connection = _db.Raw();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        command.ExecuteNonQuery();
        return Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(_db.Path)));
    }
}
