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

    private string Hash()
    {
        using var connection = _db.Raw();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        command.ExecuteNonQuery();
        return Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(_db.Path)));
    }
}
