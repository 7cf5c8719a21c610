using System.Globalization;

namespace Diffusion.Tracking.Tests.Support;

/// <summary>
/// A fresh, empty tracking store on one backend, for the tests that every backend must pass (each such test class
/// is abstract, with one subclass per backend: <c>Sqlite...Tests</c> and <c>Postgres...Tests</c>). Raw SQL given to
/// <see cref="Scalar"/>, <see cref="Execute"/> and <see cref="Rows"/> must mean the same on both; integers come back
/// as long and reals as double on both.
/// </summary>
public abstract class TestDatabase : IDisposable
{
    /// <summary>The location <see cref="TrackingStores"/> opens (a file path, or a postgresql:// URI).</summary>
    public abstract string Location { get; }

    /// <summary>A temp folder of the test's own (for artifacts and such), deleted on dispose.</summary>
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "diffusion-tracking-tests", Guid.NewGuid().ToString("N"));

    public ITrackingStore Open(TrackingOptions? options = null) => TrackingStores.Open(Location, options ?? TestOptions.Fast);

    public ISweepStore OpenSweeps(TrackingOptions? options = null) => TrackingStores.OpenSweeps(Location, options ?? TestOptions.Fast);

    public object? Scalar(string sql, params (string Name, object? Value)[] parameters) =>
        Rows(sql, parameters).FirstOrDefault() is { Length: > 0 } row ? row[0] : null;

    public abstract int Execute(string sql, params (string Name, object? Value)[] parameters);

    /// <summary>The column that keeps rows in insertion order (SQLite's rowid, PostgreSQL's seq).</summary>
    public abstract string InsertionOrder { get; }

    /// <summary>Takes the write lock of the store from a connection of its own (as another process would) until disposed.</summary>
    public abstract IDisposable HoldWriteLock();

    public List<object?[]> Rows(string sql, params (string Name, object? Value)[] parameters) =>
        RawRows(sql, parameters).Select(row => row.Select(Normalize).ToArray()).ToList();

    public virtual void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    protected abstract List<object?[]> RawRows(string sql, (string Name, object? Value)[] parameters);

    private static object? Normalize(object? value) => value switch
    {
        int i => (long)i,
        short s => (long)s,
        float f => (double)f,
        decimal d when d == decimal.Truncate(d) => decimal.ToInt64(d),
        decimal d => (double)d,
        _ => value,
    };
}

/// <summary>A SQLite file in a fresh temp folder.</summary>
public sealed class SqliteTestDatabase : TestDatabase
{
    public TempDatabase File { get; } = new();

    public override string Location => File.Path;

    public override string InsertionOrder => "rowid";

    public override int Execute(string sql, params (string Name, object? Value)[] parameters) => File.Execute(sql, parameters);

    public override IDisposable HoldWriteLock()
    {
        var connection = File.Raw();
        using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE;";
        begin.ExecuteNonQuery();
        return connection;
    }

    public override void Dispose()
    {
        File.Dispose();
        base.Dispose();
    }

    protected override List<object?[]> RawRows(string sql, (string Name, object? Value)[] parameters) => File.Rows(sql, parameters);
}

/// <summary>
/// A schema of its own on the test PostgreSQL server (<see cref="TestPostgres"/>), chosen with <c>search_path</c>,
/// dropped on dispose. Fails (never skips) when no server is configured: the test class is skipped before, outside CI.
/// </summary>
public sealed class PostgresTestDatabase : TestDatabase
{
    public PostgresTestDatabase()
    {
        Schema = "t_" + Guid.NewGuid().ToString("N")[..16];
        Location = TestPostgres.WithSearchPath(Schema);
    }

    public string Schema { get; }

    public override string Location { get; }

    public override string InsertionOrder => "seq";

    public override int Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = TestPostgres.Connect(Schema);
        using var command = TestPostgres.Command(connection, sql, parameters);
        return command.ExecuteNonQuery();
    }

    /// <summary>Locks the tables a run writes (the connection's transaction holds the lock; closing it rolls back).</summary>
    public override IDisposable HoldWriteLock()
    {
        var connection = TestPostgres.Connect(Schema);
        using var command = TestPostgres.Command(connection, "BEGIN; LOCK TABLE runs, metrics, latest_metrics IN EXCLUSIVE MODE;", []);
        command.ExecuteNonQuery();
        return connection;
    }

    public override void Dispose()
    {
        try
        {
            using var connection = TestPostgres.Connect(null);
            using var command = TestPostgres.Command(connection, $"DROP SCHEMA IF EXISTS {Schema} CASCADE;", []);
            command.ExecuteNonQuery();
        }
        finally
        {
            base.Dispose();
        }
    }

    protected override List<object?[]> RawRows(string sql, (string Name, object? Value)[] parameters)
    {
        using var connection = TestPostgres.Connect(Schema);
        using var command = TestPostgres.Command(connection, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }
}
