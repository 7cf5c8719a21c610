namespace Diffusion.Tracking;

/// <summary>
/// Chooses the tracking backend from a location, such as the CLI's <c>--db</c> value: a file path is a SQLite
/// database; a <c>postgresql://</c> URI is refused until that backend exists (issue 17).
/// </summary>
public static class TrackingStores
{
    /// <summary>Where hosts keep the database by default, relative to the working directory (run folders go in <c>runs/&lt;run-id&gt;/</c>).</summary>
    public const string DefaultLocation = "runs/tracking.db";

    /// <summary>The backend for <paramref name="location"/>.</summary>
    /// <exception cref="TrackingStoreException">The location names a backend this build does not have.</exception>
    public static ITrackingBackend For(string location)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        int scheme = location.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0)
        {
            throw new TrackingStoreException(location[..scheme].ToLowerInvariant() is "postgresql" or "postgres"
                ? "PostgreSQL tracking is not available yet in this build (issue 17); use a SQLite file path"
                : $"no tracking backend for '{location[..scheme]}://' locations; use a SQLite file path");
        }

        return new SqliteTrackingBackend(Path.GetFullPath(location));
    }

    /// <summary>Opens (creating it if needed) the store at <paramref name="location"/>.</summary>
    /// <exception cref="TrackingStoreException">The location names a backend this build does not have, or the store cannot be opened.</exception>
    public static ITrackingStore Open(string location, TrackingOptions? options = null) => For(location).Open(options);

    /// <summary>Opens (creating it if needed) the sweeps of the store at <paramref name="location"/>.</summary>
    /// <exception cref="TrackingStoreException">The location names a backend this build does not have, or the store cannot be opened.</exception>
    public static ISweepStore OpenSweeps(string location, TrackingOptions? options = null) => For(location).OpenSweeps(options);
}
