using Microsoft.Data.Sqlite;

namespace Diffusion.Tracking;

/// <summary>
/// Turns SQLite's errors into the backend-neutral <see cref="TrackingStoreException"/>. A file that is not SQLite,
/// is damaged or is a directory gets a message that names it and says what to do, as the CLI prints it as is.
/// </summary>
internal static class SqliteErrors
{
    // SQLite's primary result codes (https://www.sqlite.org/rescode.html).
    private const int Corrupt = 11;
    private const int CannotOpen = 14;
    private const int NotADatabase = 26;

    public static T Translated<T>(Func<T> work, string? databasePath = null)
    {
        try
        {
            return work();
        }
        catch (SqliteException e)
        {
            throw new TrackingStoreException(Describe(e, databasePath), e);
        }
    }

    /// <summary>The message for <paramref name="e"/>, raised on the database at <paramref name="path"/> (when known).</summary>
    public static string Describe(SqliteException e, string? path)
    {
        if (path is null)
            return e.Message;
        string backup = path + ".bak";
        return e.SqliteErrorCode switch
        {
            NotADatabase => $"not a tracking database: {path} is not an SQLite file; move it aside (mv {path} {backup}) or pass --db another file",
            Corrupt => $"the tracking database {path} is damaged ({e.Message.Replace("SQLite Error 11: ", "").Trim('\'', '.')}); " +
                $"keep a copy (cp {path} {backup}), recover what it holds with 'sqlite3 {path} .recover', or pass --db another file",
            CannotOpen when Directory.Exists(path) => $"--db {path} is a directory; name a database file, e.g. --db {Path.Combine(path, "tracking.db")}",
            CannotOpen => $"cannot open the tracking database {path} ({e.Message}); check that its folder exists and is writable",
            _ => $"{path}: {e.Message}",
        };
    }
}
