using Npgsql;

namespace Diffusion.Tracking;

/// <summary>
/// Brings a PostgreSQL schema up to <see cref="PostgresMigrations.Latest"/>. The work happens in one transaction
/// that first takes a transaction-scoped advisory lock (<c>pg_advisory_xact_lock</c>) for this schema, and the
/// version is read again once the lock is held: processes that open an empty database together wait for the first
/// one, and each step is applied once. A schema newer than this build is refused.
/// </summary>
internal static class PostgresSchemaMigrator
{
    /// <summary>The advisory lock's key: a hash of this name and the schema the tables go in.</summary>
    private const string LockName = "diffusion.tracking.schema:";

    public static void Migrate(NpgsqlConnection connection, string shownLocation)
    {
        // Up to date is the common case: check without the lock.
        if (CurrentVersion(connection, shownLocation) == PostgresMigrations.Latest)
        {
            return;
        }

        using var transaction = connection.BeginTransaction();
        connection.Execute($"SELECT pg_advisory_xact_lock(hashtext('{LockName}' || coalesce(current_schema(), current_setting('search_path'))));");
        EnsureSchema(connection);
        connection.Execute("""
            CREATE TABLE IF NOT EXISTS schema_version (
                version     INTEGER PRIMARY KEY,
                description TEXT NOT NULL,
                applied     BIGINT NOT NULL
            );
            """);
        var current = CurrentVersion(connection, shownLocation);
        foreach (var migration in PostgresMigrations.All.Where(m => m.Version > current))
        {
            connection.Execute(migration.Sql);
            connection.Execute(
                "INSERT INTO schema_version (version, description, applied) VALUES (@v, @d, @t);",
                ("v", migration.Version), ("d", migration.Description), ("t", UnixTime.NowMs()));
        }

        transaction.Commit();
    }

    /// <summary>The applied version, 0 for an empty database. A newer schema than this build knows is refused.</summary>
    public static int CurrentVersion(NpgsqlConnection connection, string shownLocation)
    {
        var hasTable = connection.Scalar<bool>("SELECT to_regclass('schema_version') IS NOT NULL;");
        var version = hasTable ? connection.Scalar<int>("SELECT coalesce(max(version), 0) FROM schema_version;") : 0;
        if (version > PostgresMigrations.Latest)
        {
            throw new TrackingStoreException(
                $"the tracking database {shownLocation} has schema version {version}, and this build knows up to version {PostgresMigrations.Latest}: " +
                $"upgrade diffusion to a build with schema version {version} (every machine that shares the database needs it)");
        }

        return version;
    }

    /// <summary>A <c>search_path</c> that names a schema that does not exist yet: the first one is created.</summary>
    private static void EnsureSchema(NpgsqlConnection connection)
    {
        if (connection.Scalar<string>("SELECT current_schema();") is null)
        {
            var first = connection.Scalar<string>("SELECT trim(both ' \"' from split_part(current_setting('search_path'), ',', 1));");
            if (!string.IsNullOrEmpty(first) && first != "$user")
            {
                connection.Execute($"CREATE SCHEMA IF NOT EXISTS {QuoteIdentifier(first)};");
            }
        }
    }

    private static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
