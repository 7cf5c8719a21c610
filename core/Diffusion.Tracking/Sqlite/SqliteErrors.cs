using Microsoft.Data.Sqlite;

namespace Diffusion.Tracking;

/// <summary>Turns SQLite's errors into the backend-neutral <see cref="TrackingStoreException"/>, keeping their message.</summary>
internal static class SqliteErrors
{
    public static T Translated<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (SqliteException e)
        {
            throw new TrackingStoreException(e.Message, e);
        }
    }
}
