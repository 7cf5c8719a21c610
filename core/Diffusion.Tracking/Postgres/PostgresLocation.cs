using System.Collections.Concurrent;
using Npgsql;

namespace Diffusion.Tracking;

/// <summary>
/// A <c>postgresql://user[:password]@host[:port]/database[?param=value&amp;...]</c> location: the connection settings,
/// and the URI as messages may show it, with the password left out. A password from the URI is kept in this process
/// only (by the shown URI), so the shown URI opens the same store again; a child process gets it as PGPASSWORD.
/// Without one in the URI, Npgsql reads <c>PGPASSWORD</c> or <c>~/.pgpass</c>.
/// </summary>
internal sealed partial class PostgresLocation
{
    /// <summary>URI parameters and the connection setting each one sets.</summary>
    private static readonly Dictionary<string, Action<NpgsqlConnectionStringBuilder, string>> Parameters = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sslmode"] = (b, v) => b.SslMode = Enum.Parse<SslMode>(v.Replace("-", "", StringComparison.Ordinal), ignoreCase: true),
        ["connect_timeout"] = (b, v) => b.Timeout = int.Parse(v, System.Globalization.CultureInfo.InvariantCulture),
        ["application_name"] = (b, v) => b.ApplicationName = v,
        ["search_path"] = (b, v) => b.SearchPath = v,
        ["options"] = (b, v) => b.Options = v,
        ["host"] = (b, v) => b.Host = v,
        ["port"] = (b, v) => b.Port = int.Parse(v, System.Globalization.CultureInfo.InvariantCulture),
        ["user"] = (b, v) => b.Username = v,
        ["dbname"] = (b, v) => b.Database = v,
        ["target_session_attrs"] = (b, v) => b.TargetSessionAttributes = v,
    };

    /// <summary>Passwords given in URIs this process opened, by the shown URI.</summary>
    private static readonly ConcurrentDictionary<string, string> Passwords = new(StringComparer.Ordinal);

    private PostgresLocation(NpgsqlConnectionStringBuilder settings, string shown)
    {
        Settings = settings;
        Shown = shown;
    }

    /// <summary>The connection settings (with the password, when one is known; never print them).</summary>
    public NpgsqlConnectionStringBuilder Settings { get; }

    /// <summary>The URI without its password: what messages, logs and child processes' arguments show.</summary>
    public string Shown { get; }

    /// <summary>The password given in the URI (or an earlier URI that shows the same), if any.</summary>
    public string? Password => Settings.Password;

    public static bool IsPostgres(string location) =>
        location.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) ||
        location.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase);

    /// <exception cref="TrackingStoreException">The URI cannot be read; the message shows it without its password.</exception>
    public static PostgresLocation Parse(string location)
    {
        var scheme = location.IndexOf("://", StringComparison.Ordinal);
        var rest = location[(scheme + 3)..];
        var query = "";
        var mark = rest.IndexOf('?', StringComparison.Ordinal);
        if (mark >= 0)
        {
            (rest, query) = (rest[..mark], rest[(mark + 1)..]);
        }

        // The credentials end at the last '@' (a password may hold '/' or '@' that were not percent-encoded).
        string? user = null, password = null;
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            var credentials = rest[..at];
            rest = rest[(at + 1)..];
            var colon = credentials.IndexOf(':', StringComparison.Ordinal);
            user = Unescape(colon >= 0 ? credentials[..colon] : credentials);
            password = colon >= 0 ? Unescape(credentials[(colon + 1)..]) : null;
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash >= 0 ? rest[..slash] : rest;
        var database = slash >= 0 ? Unescape(rest[(slash + 1)..]) : "";
        var shownWithoutPassword = $"postgresql://{(user is null ? "" : Uri.EscapeDataString(user) + "@")}{authority}{(slash >= 0 ? "/" + rest[(slash + 1)..] : "")}{(query.Length > 0 ? "?" + query : "")}";
        try
        {
            var settings = new NpgsqlConnectionStringBuilder();
            var (host, port) = HostAndPort(authority);
            settings.Host = host.Length > 0 ? host : "localhost";
            settings.Port = port;
            if (user is { Length: > 0 })
            {
                settings.Username = user;
            }

            if (database.Length > 0)
            {
                settings.Database = database;
            }

            foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                var name = Unescape(equals >= 0 ? pair[..equals] : pair);
                var value = equals >= 0 ? Unescape(pair[(equals + 1)..]) : "";
                if (name.Equals("password", StringComparison.OrdinalIgnoreCase))
                {
                    throw new TrackingStoreException(
                        $"the PostgreSQL URI {Redact(shownWithoutPassword)} carries a password as a parameter; put it in PGPASSWORD or ~/.pgpass instead");
                }

                if (!Parameters.TryGetValue(name, out var set))
                {
                    throw new TrackingStoreException(
                        $"unknown parameter '{name}' in the PostgreSQL URI {Redact(shownWithoutPassword)}; known: {string.Join(", ", Parameters.Keys)}");
                }

                set(settings, value);
            }

            var shown = Redact(shownWithoutPassword);
            if (password is not null)
            {
                Passwords[shown] = password;
            }

            if ((password ?? Passwords.GetValueOrDefault(shown)) is { } known)
            {
                settings.Password = known;
            }

            return new PostgresLocation(settings, shown);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            throw new TrackingStoreException(
                $"cannot read the PostgreSQL URI {Redact(shownWithoutPassword)} ({e.Message}); write postgresql://USER@HOST:PORT/DATABASE");
        }
    }

    /// <summary>Leaves the password out of <paramref name="text"/> wherever a PostgreSQL URI in it carries one (before the host, or as a parameter).</summary>
    public static string Redact(string text)
    {
        text = PasswordParameter().Replace(text, "${lead}password=***");
        foreach (var scheme in new[] { "postgresql://", "postgres://" })
        {
            var start = 0;
            while ((start = text.IndexOf(scheme, start, StringComparison.OrdinalIgnoreCase)) >= 0)
            {
                var from = start + scheme.Length;
                var end = from;
                while (end < text.Length && !char.IsWhiteSpace(text[end]) && text[end] is not ('?' or '\'' or '"'))
                {
                    end++;
                }

                var at = end > from ? text.LastIndexOf('@', end - 1, end - from) : -1;
                var colon = at > from ? text.IndexOf(':', from, at - from) : -1;
                if (colon >= 0)
                {
                    text = text[..colon] + text[at..];
                }

                start = from;
            }
        }

        return text;
    }

    private static (string Host, int Port) HostAndPort(string authority)
    {
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            var host = authority[1..close];
            return (host, close + 1 < authority.Length ? int.Parse(authority[(close + 2)..], System.Globalization.CultureInfo.InvariantCulture) : 5432);
        }

        var colon = authority.LastIndexOf(':');
        return colon >= 0
            ? (Unescape(authority[..colon]), int.Parse(authority[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            : (Unescape(authority), 5432);
    }

    private static string Unescape(string text) => Uri.UnescapeDataString(text);

    [System.Text.RegularExpressions.GeneratedRegex(@"(?<lead>[?&])password=[^&\s'""]*", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex PasswordParameter();
}
