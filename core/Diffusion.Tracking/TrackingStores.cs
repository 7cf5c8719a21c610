namespace Diffusion.Tracking;

/// <summary>
/// Chooses the tracking backend from a location, such as the CLI's <c>--db</c> value: a file path is a SQLite
/// database; a <c>postgresql://user@host:port/database</c> URI (or <c>postgres://</c>) is a PostgreSQL database.
/// </summary>
public static class TrackingStores
{
    /// <summary>Where hosts keep the database by default, relative to the working directory (run folders go in <c>runs/&lt;run-id&gt;/</c>).</summary>
    public const string DefaultLocation = "runs/tracking.db";

    /// <summary>The backend for <paramref name="location"/>.</summary>
    /// <exception cref="TrackingStoreException">The location names a backend this build does not have, or a directory.</exception>
    public static ITrackingBackend For(string location)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        int scheme = location.IndexOf("://", StringComparison.Ordinal);
        if (PostgresLocation.IsPostgres(location))
        {
            return new PostgresTrackingBackend(PostgresLocation.Parse(location));
        }

        if (scheme > 0)
        {
            throw new TrackingStoreException(
                $"no tracking backend for '{location[..scheme]}://' locations; use a SQLite file path or a postgresql://USER@HOST:PORT/DATABASE URI");
        }

        string path = Path.GetFullPath(location);
        if (Directory.Exists(path))
        {
            throw new TrackingStoreException(
                $"--db {location} is a directory; name a database file, e.g. --db {Path.Combine(location, "tracking.db")}");
        }

        return new SqliteTrackingBackend(path);
    }

    /// <summary>Opens (creating it if needed) the store at <paramref name="location"/>.</summary>
    /// <exception cref="TrackingStoreException">The location names a backend this build does not have, or the store cannot be opened.</exception>
    public static ITrackingStore Open(string location, TrackingOptions? options = null) => For(location).Open(options);

    /// <summary>Leaves the password out of every PostgreSQL URI in <paramref name="text"/> (for messages and logs).</summary>
    public static string Redact(string text) => PostgresLocation.Redact(text);

    /// <summary>Opens (creating it if needed) the sweeps of the store at <paramref name="location"/>.</summary>
    /// <exception cref="TrackingStoreException">The location names a backend this build does not have, or the store cannot be opened.</exception>
    public static ISweepStore OpenSweeps(string location, TrackingOptions? options = null) => For(location).OpenSweeps(options);
}
