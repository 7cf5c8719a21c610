using System.Net.Sockets;
using Npgsql;

namespace Diffusion.Tracking;

/// <summary>
/// Turns Npgsql's errors into <see cref="TrackingStoreException"/>s whose message is one line that says what to fix
/// (server unreachable, password refused, no such database) and shows the location without its password.
/// </summary>
internal static class PostgresErrors
{
    public static T Translated<T>(PostgresLocation location, Func<T> work)
    {
        try
        {
            return work();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw Translate(location, e);
        }
    }

    public static void Translated(PostgresLocation location, Action work) => Translated(location, () =>
    {
        work();
        return true;
    });

    public static TrackingStoreException Translate(PostgresLocation location, Exception error)
    {
        var where = location.Shown;
        var user = location.Settings.Username ?? Environment.UserName;
        var message = error switch
        {
            PostgresException { SqlState: "28P01" or "28000" } =>
                $"the PostgreSQL server at {where} refused user '{user}' ({Redacted(((PostgresException)error).MessageText)}): check the user and the password (in the URI, PGPASSWORD or ~/.pgpass)",
            PostgresException { SqlState: "3D000" } =>
                $"the PostgreSQL server has no database '{location.Settings.Database}' ({where}): create it (createdb {location.Settings.Database}) or name another in --db / DIFFUSION_DB",
            PostgresException { SqlState: "57P03" or "53300" } p =>
                $"the PostgreSQL server at {where} cannot take the connection now ({Redacted(p.MessageText)}): try again, or check the server",
            PostgresException p =>
                $"PostgreSQL error at {where}: {Redacted(p.MessageText)}",
            _ when Find<SocketException>(error) is { } socket =>
                $"cannot reach the PostgreSQL server at {where} ({socket.SocketErrorCode}: {Redacted(socket.Message)}): start the server, or fix the host and port in --db / DIFFUSION_DB",
            _ when error.Message.Contains("password", StringComparison.OrdinalIgnoreCase) =>
                $"the PostgreSQL server at {where} asks for a password for user '{user}' and none was given: set PGPASSWORD, add it to ~/.pgpass, or put it in the URI",
            TimeoutException or NpgsqlException { InnerException: TimeoutException } =>
                $"the PostgreSQL server at {where} did not answer in time: check that it runs and that the host and port in --db / DIFFUSION_DB are right",
            _ => $"PostgreSQL error at {where}: {Redacted(error.Message)}",
        };

        // The inner error is kept for diagnosis; Npgsql's own texts never hold the password.
        return new TrackingStoreException(message, error);
    }

    /// <summary>Whether the background writer should try a failed batch again: the connection dropped or the server was busy.</summary>
    public static bool IsTransient(Exception error) =>
        error is NpgsqlException { IsTransient: true } ||
        error is PostgresException { SqlState: "40001" or "40P01" or "55P03" or "57P03" or "53300" };

    private static string Redacted(string text) => PostgresLocation.Redact(text);

    private static T? Find<T>(Exception? error)
        where T : Exception
    {
        for (; error is not null; error = error.InnerException)
        {
            if (error is T found)
            {
                return found;
            }
        }

        return null;
    }
}
