using Npgsql;

namespace Diffusion.Tracking;

/// <summary>
/// The PostgreSQL backend: one server database (or a schema of it, chosen by <c>search_path</c>) shared by every
/// machine of a team. Run folders go in <c>runs/</c> under the working directory unless the host is told a shared folder.
/// </summary>
internal sealed class PostgresTrackingBackend(PostgresLocation location) : ITrackingBackend, IArchiveBackend
{
    /// <inheritdoc />
    public string Location => location.Shown;

    /// <inheritdoc />
    /// <exception cref="TrackingStoreException">The server cannot be reached or refuses the connection.</exception>
    public bool Exists => PostgresErrors.Translated(location, () =>
    {
        using var connection = PostgresDataSources.For(location).OpenConnection();
        return connection.Scalar<bool>("SELECT to_regclass('schema_version') IS NOT NULL;");
    });

    /// <inheritdoc />
    public string DefaultArtifactRoot => Path.GetFullPath("runs");

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> ChildEnvironment =>
        location.Password is { } password ? new Dictionary<string, string> { ["PGPASSWORD"] = password } : new Dictionary<string, string>();

    /// <inheritdoc />
    public ITrackingStore Open(TrackingOptions? options = null) => PostgresTrackingStore.Open(location, options ?? TrackingOptions.Default);

    /// <inheritdoc />
    public ISweepStore OpenSweeps(TrackingOptions? options = null) => PostgresSweepStore.Open(location, options);

    /// <inheritdoc />
    public IRunArchiveReader OpenReader() => PostgresArchive.Open(location);

    /// <inheritdoc />
    public IRunArchiveWriter? OpenWriter() => PostgresArchive.Open(location);

    /// <inheritdoc />
    public IReadOnlyList<SqlResult> Query(string query, int maxRows) => PostgresReadOnlySql.Run(location, query, maxRows);
}
