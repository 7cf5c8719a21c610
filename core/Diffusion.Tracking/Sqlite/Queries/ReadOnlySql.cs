using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Diffusion.Tracking;

/// <summary>
/// Free SQL over a tracking database, strictly read-only: the file is opened read-only with
/// <c>PRAGMA query_only</c>, and every statement is compiled and checked by SQLite
/// (<c>sqlite3_stmt_readonly</c>) before any of them runs, so a script that would write anything runs not at all.
/// An authorizer lets statements read the tracking database and nothing else (no <c>ATTACH</c>, no pragma that sets a
/// value, no extension loading); a value may grow to <see cref="MaxValueBytes"/> at most and a script runs for
/// <see cref="TimeLimit"/> at most.
/// </summary>
public static class ReadOnlySql
{
    /// <summary>The longest text or blob a query may make (<c>randomblob(1e9)</c> is refused, not allocated).</summary>
    public const int MaxValueBytes = 16 << 20;

    /// <summary>How long a query may run before it is stopped (an endless recursive CTE, a huge cross join).</summary>
    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(30);

    // Pragmas that only report, without an argument; any other pragma, or one given a value, is refused.
    private static readonly HashSet<string> ReportingPragmas = new(StringComparer.OrdinalIgnoreCase)
    {
        "table_list", "database_list", "collation_list", "function_list", "pragma_list", "compile_options",
        "user_version", "schema_version", "page_count", "page_size", "freelist_count", "encoding", "journal_mode",
    };

    // Pragmas whose argument names what to inspect (a table, an index), not a setting.
    private static readonly HashSet<string> InspectingPragmas = new(StringComparer.OrdinalIgnoreCase)
    {
        "table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list", "integrity_check", "quick_check",
    };

    // The authorizer's action codes (https://www.sqlite.org/c3ref/c_alter_table.html) that a reading query needs.
    private const int SqlitePragma = 19, SqliteRead = 20, SqliteSelect = 21, SqliteFunction = 31, SqliteRecursive = 33;
    private const int SqliteAttach = 24, SqliteDetach = 25;
    /// <summary>Runs <paramref name="sql"/> (one or more statements) and returns the rows of each statement that gives rows.</summary>
    /// <param name="databasePath">The tracking database; it must exist.</param>
    /// <param name="sql">The SQL text.</param>
    /// <param name="maxRows">At most this many rows per statement are returned.</param>
    /// <exception cref="SqlQueryException">A statement would write, or SQLite reports an error.</exception>
    /// <exception cref="FileNotFoundException">The database does not exist.</exception>
    /// <param name="timeLimit">How long the script may run; <see cref="TimeLimit"/> when null.</param>
    public static IReadOnlyList<SqlResult> Run(string databasePath, string sql, int maxRows = 10_000, TimeSpan? timeLimit = null)
    {
        var limit = timeLimit ?? TimeLimit;
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
            if (string.IsNullOrWhiteSpace(sql))
            {
                throw new SqlQueryException("the query is empty; write a SELECT, e.g. \"SELECT id, name, status FROM runs\"");
            }

            raw.sqlite3_limit(connection.Handle, raw.SQLITE_LIMIT_LENGTH, MaxValueBytes);
            string? refused = null;
            raw.sqlite3_set_authorizer(connection.Handle, (_, action, first, second, database, _) =>
            {
                var verdict = Authorize(action, first.utf8_to_string(), second.utf8_to_string(), database.utf8_to_string());
                if (verdict is not null) refused ??= verdict;
                return verdict is null ? raw.SQLITE_OK : raw.SQLITE_DENY;
            }, null);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            raw.sqlite3_progress_handler(connection.Handle, 10_000, _ => clock.Elapsed > limit ? 1 : 0, null);
            try
            {
                RefuseWrites(connection, sql, () => refused);
                return Read(connection, sql, maxRows);
            }
            catch (SqliteException e) when (e.SqliteErrorCode == raw.SQLITE_INTERRUPT)
            {
                throw TimedOut(limit, e);
            }
            catch (SqliteException e) when (e.SqliteErrorCode == raw.SQLITE_TOOBIG)
            {
                throw new SqlQueryException(
                    $"refused: the query makes a value larger than {MaxValueBytes >> 20} MB; runs query returns records, not bulk data", e);
            }
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

    /// <summary>The error for a query stopped at <paramref name="limit"/>, on either backend.</summary>
    internal static SqlQueryException TimedOut(TimeSpan limit, Exception cause) => new(
        $"stopped: the query ran past {limit.TotalSeconds:0.#} s (an endless recursive CTE? a cross join?); add a LIMIT or narrow it", cause);

    /// <summary>Null when the action may go ahead, else why it is refused.</summary>
    private static string? Authorize(int action, string? first, string? second, string? database)
    {
        switch (action)
        {
            case SqliteSelect or SqliteRecursive:
                return null;
            case SqliteRead:
                return database is null or "main" or "temp" ? null : $"reads '{database}', which is not the tracking database";
            case SqliteFunction:
                return second is not null && (second.Equals("load_extension", StringComparison.OrdinalIgnoreCase)
                    || second.StartsWith("fts3_tokenizer", StringComparison.OrdinalIgnoreCase))
                    ? $"calls {second}()" : null;
            case SqlitePragma:
                return first is not null && (InspectingPragmas.Contains(first) || (ReportingPragmas.Contains(first) && second is null))
                    ? null : $"uses PRAGMA {first}{(second is null ? "" : " = " + second)}, which changes settings";
            case SqliteAttach or SqliteDetach:
                return "attaches another database file (runs query reads the tracking database only)";
            default:
                return "would write (use the runs commands to tag, delete or restore runs)";
        }
    }

    /// <summary>Compiles each statement in turn and refuses the first that is not read-only.</summary>
    private static void RefuseWrites(SqliteConnection connection, string sql, Func<string?> refused)
    {
        var remaining = sql;
        var number = 0;
        while (!string.IsNullOrWhiteSpace(remaining))
        {
            var rc = raw.sqlite3_prepare_v2(connection.Handle, remaining, out sqlite3_stmt statement, out string tail);
            using (statement)
            {
                if (rc != raw.SQLITE_OK && refused() is { } why)
                {
                    throw new SqlQueryException(
                        $"refused: runs query only reads the tracking database, and statement {number + 1} {why}{Environment.NewLine}" +
                        "nothing was run; the database is unchanged");
                }

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
