using System.Collections.Concurrent;
using Npgsql;

namespace Diffusion.Tracking;

/// <summary>
/// One pooled <see cref="NpgsqlDataSource"/> per connection settings in this process, shared by its stores and
/// recorders. A read-only source's sessions refuse every write (<c>default_transaction_read_only</c>).
/// </summary>
internal static class PostgresDataSources
{
    private static readonly ConcurrentDictionary<string, NpgsqlDataSource> Sources = new(StringComparer.Ordinal);

    public static NpgsqlDataSource For(PostgresLocation location, bool readOnly = false)
    {
        var settings = new NpgsqlConnectionStringBuilder(location.Settings.ConnectionString)
        {
            // Short enough that a wrong host is reported quickly; long enough for a busy server.
            Timeout = location.Settings.Timeout == 15 ? 10 : location.Settings.Timeout,
            // Recorders hold a connection each for the life of a run; a sweep's parent and workers stay well under this.
            MaxPoolSize = Math.Max(location.Settings.MaxPoolSize, 100),
            ApplicationName = location.Settings.ApplicationName ?? "diffusion",
        };
        if (readOnly)
        {
            settings.Options = $"{settings.Options} -c default_transaction_read_only=on".Trim();
        }

        return Sources.GetOrAdd(settings.ConnectionString, text => NpgsqlDataSource.Create(text));
    }
}
