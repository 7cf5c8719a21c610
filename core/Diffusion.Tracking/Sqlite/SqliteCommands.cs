using Microsoft.Data.Sqlite;

namespace Diffusion.Tracking;

/// <summary>Short ways to run SQL. Transactions are plain BEGIN IMMEDIATE/COMMIT statements.</summary>
internal static class SqliteCommands
{
    public static int Execute(this SqliteConnection connection, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        using var command = connection.Command(sql, parameters);
        return command.ExecuteNonQuery();
    }

    public static T? Scalar<T>(this SqliteConnection connection, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        using var command = connection.Command(sql, parameters);
        var value = command.ExecuteScalar();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static List<T> Query<T>(this SqliteConnection connection, string sql, Func<SqliteDataReader, T> read, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        using var command = connection.Command(sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    public static SqliteCommand Command(this SqliteConnection connection, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction taken up front (BEGIN IMMEDIATE), so that two writers
    /// queue on the busy timeout instead of failing when a read lock would have to be upgraded.
    /// </summary>
    public static T InWriteTransaction<T>(this SqliteConnection connection, Func<T> work)
    {
        connection.Execute("BEGIN IMMEDIATE;");
        try
        {
            var result = work();
            connection.Execute("COMMIT;");
            return result;
        }
        catch
        {
            RollBack(connection);
            throw;
        }
    }

    public static void InWriteTransaction(this SqliteConnection connection, Action work) =>
        connection.InWriteTransaction(() =>
        {
            work();
            return true;
        });

    /// <summary>SQLite may already have rolled back on its own (e.g. disk full); that is not a second error.</summary>
    private static void RollBack(SqliteConnection connection)
    {
        try
        {
            connection.Execute("ROLLBACK;");
        }
        catch (SqliteException)
        {
        }
    }

    /// <summary>SQLITE_BUSY or SQLITE_LOCKED, extended codes included.</summary>
    public static bool IsBusy(this SqliteException exception) => (exception.SqliteErrorCode & 0xFF) is 5 or 6;

    public static string? NullableString(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long? NullableInt64(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    /// <summary>SQLite has no NaN: it stores NaN as NULL, so NULL reads back as NaN.</summary>
    public static double DoubleOrNaN(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? double.NaN : reader.GetDouble(ordinal);
}
