using Npgsql;

namespace Diffusion.Cli.Tests;

/// <summary>
/// The PostgreSQL test server (<c>DIFFUSION_TEST_POSTGRES</c>, started by <c>.ci/run</c> or
/// <c>tools/postgres-test-server.sh start</c>); each test gets a schema of its own through <c>search_path</c>.
/// </summary>
internal sealed class PostgresServer : IDisposable
{
    public const string Variable = "DIFFUSION_TEST_POSTGRES";

    public PostgresServer()
    {
        var uri = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } set
            ? set
            : throw new InvalidOperationException($"{Variable} is not set, and CI must run the PostgreSQL tests: .ci/run starts a private server with tools/postgres-test-server.sh");
        Schema = "cli_" + Guid.NewGuid().ToString("N")[..16];
        Uri = uri + (uri.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "search_path=" + Schema;
        Admin = ConnectionString(uri);
    }

    /// <summary>Why PostgreSQL tests are skipped here (no server and not CI), or null when they run.</summary>
    public static string? SkipReason =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? null
            : $"no PostgreSQL server: set {Variable}=postgresql://USER@HOST:PORT/DATABASE (eval \"$(tools/postgres-test-server.sh start)\" starts one)";

    /// <summary>The test's location for --db: the server's URI with the test's own search_path.</summary>
    public string Uri { get; }

    public string Schema { get; }

    private string Admin { get; }

    /// <summary>The rows of <paramref name="sql"/> run in the test's schema.</summary>
    public List<object?[]> Rows(string sql)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Admin) { SearchPath = Schema, Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    public void Dispose()
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Admin) { Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE;", connection);
        command.ExecuteNonQuery();
    }

    private static string ConnectionString(string uri)
    {
        var parsed = new System.Uri(uri.Replace("postgresql://", "http://", StringComparison.OrdinalIgnoreCase).Replace("postgres://", "http://", StringComparison.OrdinalIgnoreCase));
        var user = System.Uri.UnescapeDataString(parsed.UserInfo).Split(':', 2);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = parsed.Host,
            Port = parsed.IsDefaultPort ? 5432 : parsed.Port,
            Database = parsed.AbsolutePath.Trim('/') is { Length: > 0 } db ? db : "postgres",
        };
        if (user[0].Length > 0) builder.Username = user[0];
        if (user.Length > 1) builder.Password = user[1];
        return builder.ConnectionString;
    }
}

/// <summary>A test that needs the PostgreSQL test server: skipped with the reason where there is none, except in CI (CI=true), where it fails.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresServer.SkipReason is { } reason) Skip = reason;
    }
}
