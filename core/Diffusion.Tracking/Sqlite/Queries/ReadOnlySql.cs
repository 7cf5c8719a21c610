using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Diffusion.Tracking;

/// <summary>
/// Free SQL over a tracking database, strictly read-only: the file is opened read-only with
/// <c>PRAGMA query_only</c>, and every statement is compiled and checked by SQLite
/// (<c>sqlite3_stmt_readonly</c>) before any of them runs, so a script that would write anything runs not at all.
/// </summary>
public static class ReadOnlySql
{
    /// <summary>Runs <paramref name="sql"/> (one or more statements) and returns the rows of each statement that gives rows.</summary>
    /// <param name="databasePath">The tracking database; it must exist.</param>
    /// <param name="sql">The SQL text.</param>
    /// <param name="maxRows">At most this many rows per statement are returned.</param>
    /// <exception cref="SqlQueryException">A statement would write, or SQLite reports an error.</exception>
    /// <exception cref="FileNotFoundException">The database does not exist.</exception>
    public static IReadOnlyList<SqlResult> Run(string databasePath, string sql, int maxRows = 10_000)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        var full = Path.GetFullPath(databasePath);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"no tracking database at {full}", full);
        }

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            connection.Execute("PRAGMA busy_timeout = 10000; PRAGMA query_only = ON;");
            RefuseWrites(connection, sql);
            return Read(connection, sql, maxRows);
        }
        catch (SqliteException e)
        {
            throw new SqlQueryException(
                (e.SqliteErrorCode & 0xFF) == raw.SQLITE_READONLY
                    ? $"refused: runs query only reads, and SQLite reports a write ({raw.sqlite3_errstr(e.SqliteErrorCode).utf8_to_string()}); the database is unchanged"
                    : $"SQL error: {e.Message}",
                e);
        }
    }

    /// <summary>Compiles each statement in turn and refuses the first that is not read-only.</summary>
    private static void RefuseWrites(SqliteConnection connection, string sql)
    {
        var remaining = sql;
        var number = 0;
        while (!string.IsNullOrWhiteSpace(remaining))
        {
            var rc = raw.sqlite3_prepare_v2(connection.Handle, remaining, out sqlite3_stmt statement, out string tail);
            using (statement)
            {
                if (rc != raw.SQLITE_OK)
                {
                    throw new SqlQueryException($"SQL error: {raw.sqlite3_errmsg(connection.Handle).utf8_to_string()}");
                }

                // Comments and empty statements compile to nothing.
                if (statement is not null && !statement.IsInvalid)
                {
                    number++;
                    if (raw.sqlite3_stmt_readonly(statement) == 0)
                    {
                        var text = raw.sqlite3_sql(statement).utf8_to_string().Trim();
                        throw new SqlQueryException(
                            $"refused: runs query only reads, and statement {number} would write: {text}{Environment.NewLine}" +
                            "nothing was run; the database is unchanged (use the runs commands to tag, delete or restore runs)");
                    }
                }
            }

            remaining = tail;
        }
    }

    private static List<SqlResult> Read(SqliteConnection connection, string sql, int maxRows)
    {
        var results = new List<SqlResult>();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        do
        {
            if (reader.FieldCount == 0)
            {
                continue;
            }

            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
            var rows = new List<IReadOnlyList<object?>>();
            var truncated = false;
            while (reader.Read())
            {
                if (rows.Count == maxRows)
                {
                    truncated = true;
                    break;
                }

                rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : reader.GetValue(i)).ToList());
            }

            results.Add(new SqlResult(columns, rows, truncated));
        }
        while (reader.NextResult());

        return results;
    }
}
