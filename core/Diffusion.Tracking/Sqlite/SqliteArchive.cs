namespace Diffusion.Tracking;

/// <summary>Reads a SQLite tracking database whole, for <see cref="TrackingCopy"/> (the source of <c>runs migrate</c>).</summary>
internal static class SqliteArchive
{
    /// <exception cref="TrackingStoreException">The file does not exist or is not a tracking database.</exception>
    public static IRunArchiveReader OpenReader(string databasePath)
    {
        if (!File.Exists(databasePath))
        {
            throw new TrackingStoreException($"{databasePath} does not exist: no runs recorded there");
        }

        // Opening a store first brings the schema up to date (artifact_root included).
        using (SqliteTrackingStore.Open(databasePath))
        {
        }

        return SqliteErrors.Translated(() => new ArchiveReader(SqliteConnections.Open(databasePath, TimeSpan.FromSeconds(10)), "rowid"), databasePath);
    }
}
