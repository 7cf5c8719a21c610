using Npgsql;

namespace Diffusion.Tracking.Tests.Support;

/// <summary>
/// The PostgreSQL server the tests use: <c>DIFFUSION_TEST_POSTGRES</c> (a <c>postgresql://</c> URI; <c>.ci/run</c> and
/// <c>tools/postgres-test-server.sh start</c> set one up). Without it, PostgreSQL tests are skipped with
/// <see cref="SkipReason"/>, except in CI (<c>CI=true</c>), where they run and fail with the reason.
/// </summary>
public static class TestPostgres
{
    public const string Variable = "DIFFUSION_TEST_POSTGRES";

    /// <summary>The server's URI, or null.</summary>
    public static string? Uri => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } uri ? uri : null;

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why PostgreSQL tests are skipped here, or null when they run (a server is configured, or this is CI).</summary>
    public static string? SkipReason => Uri is null && !InCi
        ? $"no PostgreSQL server: set {Variable}=postgresql://USER@HOST:PORT/DATABASE (eval \"$(tools/postgres-test-server.sh start)\" starts a private one)"
        : null;

    /// <summary>The server's URI; in CI without one, an error that says so (a failure, never a skip).</summary>
    public static string Required => Uri ?? throw new InvalidOperationException(
        $"{Variable} is not set, and CI must run the PostgreSQL tests: .ci/run starts a private server with tools/postgres-test-server.sh; see its output for why it did not");

    public static string WithSearchPath(string schema) =>
        Required + (Required.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "search_path=" + schema;

    public static NpgsqlConnection Connect(string? schema)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionStringOf(schema is null ? Required : WithSearchPath(schema))) { Pooling = false };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        connection.Open();
        return connection;
    }

    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter(name.TrimStart('@'), value ?? DBNull.Value));
        }

        return command;
    }

    /// <summary>A connection string for a test URI (simple: user, host, port, database and search_path).</summary>
    private static string ConnectionStringOf(string uri)
    {
        var parsed = new System.Uri(uri.Replace("postgresql://", "http://", StringComparison.OrdinalIgnoreCase).Replace("postgres://", "http://", StringComparison.OrdinalIgnoreCase));
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = parsed.Host,
            Port = parsed.IsDefaultPort ? 5432 : parsed.Port,
            Database = parsed.AbsolutePath.Trim('/') is { Length: > 0 } db ? db : "postgres",
        };
        var user = System.Uri.UnescapeDataString(parsed.UserInfo);
        var colon = user.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            builder.Password = user[(colon + 1)..];
            user = user[..colon];
        }

        if (user.Length > 0) builder.Username = user;
        foreach (var pair in parsed.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            if (parts[0] == "search_path") builder.SearchPath = System.Uri.UnescapeDataString(parts[1]);
        }

        return builder.ConnectionString;
    }
}
