using System.Globalization;
using Npgsql;

namespace Diffusion.Tracking;

/// <summary>Short ways to run SQL on a PostgreSQL connection; parameters are named without the '@' of the SQL text.</summary>
internal static class PostgresCommands
{
    public static int Execute(this NpgsqlConnection connection, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        using var command = connection.Command(sql, parameters);
        return command.ExecuteNonQuery();
    }

    public static T? Scalar<T>(this NpgsqlConnection connection, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        using var command = connection.Command(sql, parameters);
        var value = command.ExecuteScalar();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), CultureInfo.InvariantCulture);
    }

    public static List<T> Query<T>(this NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, T> read, params ReadOnlySpan<(string Name, object? Value)> parameters)
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

    public static NpgsqlCommand Command(this NpgsqlConnection connection, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter(name.TrimStart('@'), value ?? DBNull.Value));
        }

        return command;
    }

    /// <summary>Runs <paramref name="work"/> in one transaction, committed when it returns and rolled back when it throws.</summary>
    public static T InTransaction<T>(this NpgsqlConnection connection, Func<T> work)
    {
        using var transaction = connection.BeginTransaction();
        var result = work();
        transaction.Commit();
        return result;
    }

    public static void InTransaction(this NpgsqlConnection connection, Action work) =>
        connection.InTransaction(() =>
        {
            work();
            return true;
        });

    public static string? NullableString(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long? NullableInt64(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    /// <summary>A NaN is stored as NULL (as in SQLite), so NULL reads back as NaN.</summary>
    public static double DoubleOrNaN(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? double.NaN : reader.GetDouble(ordinal);
}
