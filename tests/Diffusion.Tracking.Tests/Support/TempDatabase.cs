using Microsoft.Data.Sqlite;

namespace Diffusion.Tracking.Tests.Support;

/// <summary>A tracking database in a fresh temp folder (under a sub-folder, so Open must create it); deleted on dispose.</summary>
public sealed class TempDatabase : IDisposable
{
    public TempDatabase()
    {
        Folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "diffusion-tracking-tests", Guid.NewGuid().ToString("N"));
        Path = System.IO.Path.Combine(Folder, "runs", "tracking.db");
    }

    public string Folder { get; }

    public string Path { get; }

    public SqliteTrackingStore Open(TrackingOptions? options = null) => SqliteTrackingStore.Open(Path, options ?? TestOptions.Fast);

    /// <summary>Runs SQL on a connection of its own, beside the store (as another tool or process would).</summary>
    public int Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = Raw();
        using var command = Command(connection, sql, parameters);
        return command.ExecuteNonQuery();
    }

    public object? Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = Raw();
        using var command = Command(connection, sql, parameters);
        return command.ExecuteScalar();
    }

    public List<object?[]> Rows(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = Raw();
        using var command = Command(connection, sql, parameters);
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

    /// <summary>A connection that may create the file (for writing an old schema by hand).</summary>
    public SqliteConnection RawCreate()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        return Raw();
    }

    public SqliteConnection Raw()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout = 10000;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }
}
