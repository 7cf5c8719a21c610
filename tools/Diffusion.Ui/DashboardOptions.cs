using System.Net;

namespace Diffusion.Ui;

/// <summary>What <c>diffusion ui</c> serves and where.</summary>
public sealed record DashboardOptions
{
    /// <summary>The environment variable that gives the access token when <c>--token</c> does not.</summary>
    public const string TokenVariable = "DIFFUSION_UI_TOKEN";

    /// <summary>The tracking store's location (a SQLite file or a <c>postgresql://</c> URI); it must exist.</summary>
    public required string Database { get; init; }

    /// <summary>The folder that holds run folders when given explicitly (<c>--artifacts</c>); else where each run recorded it, else the store's default.</summary>
    public string? ArtifactRoot { get; init; }

    /// <summary>The address to listen on. Default 127.0.0.1 (this machine only).</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The port to listen on (0 for any free port). Default 5600.</summary>
    public int Port { get; init; } = 5600;

    /// <summary>The token every request must carry, or null for none (only allowed on a loopback address).</summary>
    public string? Token { get; init; }

    /// <summary>The folder of the built front end; null for <c>wwwroot/</c> beside this assembly.</summary>
    public string? StaticRoot { get; init; }

    /// <summary>Whether <see cref="Host"/> names this machine only (localhost, 127.0.0.0/8, ::1).</summary>
    public bool IsLoopback => Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ||
                              (IPAddress.TryParse(Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    /// <summary>Why these options cannot be served (a user's mistake, said with the fix), or null when they can.</summary>
    public string? Problem()
    {
        if (Port is < 0 or > 65535)
        {
            return $"--port {Port} is not a port number (0-65535)";
        }

        if (Token is { Length: < 8 })
        {
            return "the token is too short: use at least 8 characters (e.g. the output of 'openssl rand -hex 16')";
        }

        return !IsLoopback && string.IsNullOrEmpty(Token)
            ? $"--host {Host} lets other machines in: give a token (--token T or ${TokenVariable}) that every request must carry, or bind to 127.0.0.1"
            : null;
    }
}
