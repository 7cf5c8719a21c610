using Microsoft.Data.Sqlite;

namespace Diffusion.Tracking;

/// <summary>
/// Opens connections set up the same way everywhere: WAL, NORMAL sync, busy timeout, foreign keys. A read-only
/// connection leaves the file as it is (it reads a WAL database while writers write).
/// </summary>
internal static class SqliteConnections
{
    public static SqliteConnection Open(string path, TimeSpan busyTimeout, bool readOnly = false)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            // Unpooled: a closed store really closes its file (tests delete folders, the CLI exits cleanly).
            Pooling = false,
            // Microsoft.Data.Sqlite also retries SQLITE_BUSY itself for up to the command timeout.
            DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            connection.Execute($"PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds};");
            // Before anything changes the file (WAL mode rewrites its header): refuse another program's database or
            // one from a newer build, and leave it as it was.
            CheckOwnership(connection, busyTimeout);
            if (readOnly)
            {
                connection.Execute("PRAGMA query_only = ON;");
                return connection;
            }

            UseWal(connection, busyTimeout);
            // NORMAL in WAL mode: a killed process loses nothing committed; only a power cut may lose the last commits.
            connection.Execute("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the schema version, which refuses a foreign or newer database. While another process switches a fresh
    /// file to WAL the read can answer SQLITE_BUSY at once instead of waiting, so ask again until the deadline.
    /// </summary>
    private static void CheckOwnership(SqliteConnection connection, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            try
            {
                SchemaMigrator.CurrentVersion(connection);
                return;
            }
            catch (SqliteException e) when (e.IsBusy() && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(10);
            }
        }
    }

    /// <summary>
    /// Switching a fresh file to WAL needs a moment alone with it; while another process holds it the pragma
    /// can answer with the old mode instead of waiting, so ask again until it sticks.
    /// </summary>
    private static void UseWal(SqliteConnection connection, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            var mode = connection.Scalar<string>("PRAGMA journal_mode = WAL;");
            if (string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"could not switch the tracking database to WAL mode (it stays '{mode}')");
            }

            Thread.Sleep(10);
        }
    }
}
