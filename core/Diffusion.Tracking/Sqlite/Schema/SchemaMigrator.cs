using Microsoft.Data.Sqlite;

namespace Diffusion.Tracking;

/// <summary>
/// Brings a database up to <see cref="Migrations.Latest"/>. The work happens under BEGIN IMMEDIATE, and the
/// version is read again once the lock is held, so processes opening a fresh file together apply each step once.
/// </summary>
internal static class SchemaMigrator
{
    private const string CreateVersionTable = """
        CREATE TABLE IF NOT EXISTS schema_version (
            version     INTEGER PRIMARY KEY,
            description TEXT NOT NULL,
            applied     INTEGER NOT NULL
        );
        """;

    public static void Migrate(SqliteConnection connection)
    {
        // Up to date is the common case: check without taking the write lock.
        if (CurrentVersion(connection) == Migrations.Latest)
        {
            return;
        }

        connection.InWriteTransaction(() =>
        {
            connection.Execute(CreateVersionTable);
            var current = CurrentVersion(connection);
            foreach (var migration in Migrations.All.Where(m => m.Version > current))
            {
                connection.Execute(migration.Sql);
                connection.Execute(
                    "INSERT INTO schema_version (version, description, applied) VALUES (@v, @d, @t);",
                    ("@v", migration.Version), ("@d", migration.Description), ("@t", UnixTime.NowMs()));
            }
        });
    }

    /// <summary>The applied version, 0 for a fresh file. A newer database than this build knows is refused.</summary>
    public static int CurrentVersion(SqliteConnection connection)
    {
        // One statement, so one snapshot: another process may be migrating the same fresh file right now.
        var (hasTable, tables) = connection.Query(
            "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'), " +
            "(SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%');",
            r => (r.GetInt64(0) > 0, r.GetInt64(1))).Single();
        if (!hasTable)
        {
            // Tables but no schema_version: some other program's SQLite database. Adding ours to it would mix the two.
            if (tables > 0)
                throw new TrackingStoreException(
                    $"not a tracking database: {connection.DataSource} is an SQLite file with {tables} table(s) of another program; pass --db another file");
            return 0;
        }

        var version = (int)connection.Scalar<long>("SELECT coalesce(max(version), 0) FROM schema_version;");
        if (version > Migrations.Latest)
        {
            throw new TrackingStoreException(
                $"the tracking database {connection.DataSource} has schema version {version}; this build knows up to {Migrations.Latest}: use a newer build of diffusion, or pass --db another file");
        }

        return version;
    }
}
