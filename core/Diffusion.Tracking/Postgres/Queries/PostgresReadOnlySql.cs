using Npgsql;

namespace Diffusion.Tracking;

/// <summary>
/// Free SQL over a PostgreSQL tracking database, strictly read-only. The script runs inside one
/// <c>READ ONLY</c> transaction (so PostgreSQL refuses any write, whatever statement or function it hides in) that
/// is always rolled back; and since a COMMIT, SET or the like could end or loosen that transaction, each statement
/// must begin with a reading keyword (SELECT, WITH, VALUES, TABLE, SHOW, EXPLAIN), checked before any statement runs.
/// </summary>
internal static class PostgresReadOnlySql
{
    private static readonly string[] Reading = ["SELECT", "WITH", "VALUES", "TABLE", "SHOW", "EXPLAIN"];

    /// <param name="location">The database.</param>
    /// <param name="sql">The SQL text.</param>
    /// <param name="maxRows">At most this many rows per statement.</param>
    /// <param name="timeLimit">How long the script may run; <see cref="ReadOnlySql.TimeLimit"/> when null.</param>
    public static IReadOnlyList<SqlResult> Run(PostgresLocation location, string sql, int maxRows, TimeSpan? timeLimit = null)
    {
        var limit = timeLimit ?? ReadOnlySql.TimeLimit;
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        var statements = SqlStatements.Split(sql);
        for (var i = 0; i < statements.Count; i++)
        {
            var first = SqlStatements.FirstWord(statements[i]).ToUpperInvariant();
            if (!Reading.Contains(first))
            {
                throw new SqlQueryException(
                    $"refused: runs query only reads, and statement {i + 1} would write or change the session: {statements[i].Trim()}{Environment.NewLine}" +
                    "nothing was run; the database is unchanged (use the runs commands to tag, delete or restore runs)");
            }
        }

        var source = PostgresDataSources.For(location);
        try
        {
            using var connection = source.OpenConnection();
            using var transaction = connection.BeginTransaction();
            connection.Execute("SET TRANSACTION READ ONLY;");
            // As on SQLite: an endless recursive CTE or a huge cross join is stopped, not left running on the server.
            connection.Execute($"SET LOCAL statement_timeout = {Math.Max(1, (long)limit.TotalMilliseconds)};");
            var results = new List<SqlResult>();
            foreach (var statement in statements)
            {
                using var command = connection.Command(statement);
                using var reader = command.ExecuteReader();
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

            transaction.Rollback();
            return results;
        }
        catch (PostgresException e) when (e.SqlState == "57014")
        {
            throw ReadOnlySql.TimedOut(limit, e);
        }
        catch (PostgresException e) when (e.SqlState == "25006")
        {
            throw new SqlQueryException(
                $"refused: runs query only reads, and PostgreSQL reports a write ({e.MessageText}); nothing was written, the database is unchanged", e);
        }
        catch (PostgresException e)
        {
            throw new SqlQueryException($"SQL error: {PostgresLocation.Redact(e.MessageText)}", e);
        }
        catch (NpgsqlException e)
        {
            throw PostgresErrors.Translate(location, e);
        }
    }
}
