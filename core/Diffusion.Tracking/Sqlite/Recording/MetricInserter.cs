using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Diffusion.Tracking;

/// <summary>
/// Inserts metric rows through SQLite's own statement API: a multi-row INSERT of <see cref="Block"/> rows and a
/// one-row INSERT for the rest, both prepared once and bound by position. Metrics are the bulk of what a run
/// writes, and binding by name through ADO.NET costs more than SQLite's insert itself.
/// </summary>
internal sealed class MetricInserter : IDisposable
{
    /// <summary>Rows per multi-row statement.</summary>
    public const int Block = 64;

    private readonly SqliteConnection _connection;
    private readonly sqlite3_stmt _one;
    private readonly sqlite3_stmt _block;

    public MetricInserter(SqliteConnection connection, string runId)
    {
        _connection = connection;
        // ?1 is the run; each row then has key, step, value, time.
        _one = Prepare("INSERT INTO metrics (run_id, key, step, value, time) VALUES (?1, ?2, ?3, ?4, ?5);", runId);
        _block = Prepare(
            "INSERT INTO metrics (run_id, key, step, value, time) VALUES " +
            string.Join(", ", Enumerable.Range(0, Block).Select(i => $"(?1, ?{2 + (4 * i)}, ?{3 + (4 * i)}, ?{4 + (4 * i)}, ?{5 + (4 * i)})")) + ";",
            runId);
    }

    /// <summary>Inserts <paramref name="rows"/> in order.</summary>
    public void Insert(IReadOnlyList<PendingMetric> rows)
    {
        var done = 0;
        for (; done + Block <= rows.Count; done += Block)
        {
            for (var i = 0; i < Block; i++)
            {
                Bind(_block, 2 + (4 * i), rows[done + i]);
            }

            Step(_block);
        }

        for (; done < rows.Count; done++)
        {
            Bind(_one, 2, rows[done]);
            Step(_one);
        }
    }

    public void Dispose()
    {
        _one.Dispose();
        _block.Dispose();
    }

    private sqlite3_stmt Prepare(string sql, string runId)
    {
        Check(raw.sqlite3_prepare_v2(_connection.Handle, sql, out sqlite3_stmt statement));
        Check(raw.sqlite3_bind_text16(statement, 1, runId.AsSpan()));
        return statement;
    }

    private void Bind(sqlite3_stmt statement, int first, PendingMetric row)
    {
        Check(raw.sqlite3_bind_text16(statement, first, row.Key.AsSpan()));
        Check(raw.sqlite3_bind_int64(statement, first + 1, row.Step));
        // SQLite has no NaN: it is stored as NULL.
        Check(double.IsNaN(row.Value) ? raw.sqlite3_bind_null(statement, first + 2) : raw.sqlite3_bind_double(statement, first + 2, row.Value));
        Check(raw.sqlite3_bind_int64(statement, first + 3, row.TimeMs));
    }

    private void Step(sqlite3_stmt statement)
    {
        var rc = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (rc != raw.SQLITE_DONE)
        {
            Check(rc);
        }
    }

    /// <summary>Turns an SQLite error code into the exception Microsoft.Data.Sqlite would throw (busy is retried by the writer).</summary>
    private void Check(int rc)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW))
        {
            throw new SqliteException($"SQLite Error {rc}: '{raw.sqlite3_errmsg(_connection.Handle).utf8_to_string()}'.", rc, raw.sqlite3_extended_errcode(_connection.Handle));
        }
    }
}
