namespace Diffusion.Tracking;

/// <summary>
/// One tracking backend at one location (e.g. a SQLite file): opens its stores and answers what hosts need to
/// know before opening one. <see cref="TrackingStores.For"/> picks the backend from the location.
/// </summary>
public interface ITrackingBackend
{
    /// <summary>
    /// Where the store lives, as messages should name it (for SQLite, the absolute path of the database file; for
    /// PostgreSQL, the URI without its password). <see cref="TrackingStores.For"/> opens the same store from it again.
    /// </summary>
    string Location { get; }

    /// <summary>Whether anything has been recorded there yet (for SQLite, whether the file exists).</summary>
    bool Exists { get; }

    /// <summary>Where run folders go when the host is not told (for SQLite, the folder that holds the database).</summary>
    string DefaultArtifactRoot { get; }

    /// <summary>
    /// Environment variables a child process (a sweep worker) needs to open <see cref="Location"/>: a secret that
    /// <see cref="Location"/> leaves out, such as a password given in a PostgreSQL URI (as PGPASSWORD). Empty for SQLite.
    /// </summary>
    IReadOnlyDictionary<string, string> ChildEnvironment => new Dictionary<string, string>();

    /// <summary>Opens (creating it if needed) the store and brings its schema up to date.</summary>
    /// <param name="options">How the store writes; null for <see cref="TrackingOptions.Default"/>.</param>
    /// <exception cref="TrackingStoreException">The store cannot be opened (e.g. it is corrupt).</exception>
    ITrackingStore Open(TrackingOptions? options = null);

    /// <summary>Opens (creating it if needed) the sweeps of the store.</summary>
    /// <param name="options">How the store writes; null for <see cref="TrackingOptions.Default"/>.</param>
    /// <exception cref="TrackingStoreException">The store cannot be opened (e.g. it is corrupt).</exception>
    ISweepStore OpenSweeps(TrackingOptions? options = null);

    /// <summary>
    /// Runs the backend's own query language (SQL for SQLite) strictly read-only over an existing store, and
    /// returns the rows of each statement that gives rows.
    /// </summary>
    /// <param name="query">The query text (one or more statements).</param>
    /// <param name="maxRows">At most this many rows per statement are returned.</param>
    /// <exception cref="SqlQueryException">A statement would write, or the backend reports an error.</exception>
    /// <exception cref="FileNotFoundException">Nothing has been recorded there.</exception>
    IReadOnlyList<SqlResult> Query(string query, int maxRows);
}
