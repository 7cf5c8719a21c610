namespace Diffusion.Tracking;

/// <summary>The SQLite backend: one database file; run folders go beside it by default.</summary>
/// <param name="databasePath">The absolute path of the database file.</param>
internal sealed class SqliteTrackingBackend(string databasePath) : ITrackingBackend, IArchiveBackend
{
    /// <inheritdoc />
    public string Location => databasePath;

    /// <inheritdoc />
    public bool Exists => File.Exists(databasePath);

    /// <inheritdoc />
    public string DefaultArtifactRoot => Path.GetDirectoryName(databasePath)!;

    /// <inheritdoc />
    public ITrackingStore Open(TrackingOptions? options = null) => SqliteTrackingStore.Open(databasePath, options ?? TrackingOptions.Default);

    /// <inheritdoc />
    public ISweepStore OpenSweeps(TrackingOptions? options = null) => SqliteSweepStore.Open(databasePath, options);

    /// <inheritdoc />
    public IRunArchiveReader OpenReader() => SqliteArchive.OpenReader(databasePath);

    /// <summary>Runs are copied from SQLite, not into it.</summary>
    public IRunArchiveWriter? OpenWriter() => null;

    /// <inheritdoc />
    public IReadOnlyList<SqlResult> Query(string query, int maxRows) => ReadOnlySql.Run(databasePath, query, maxRows);
}
