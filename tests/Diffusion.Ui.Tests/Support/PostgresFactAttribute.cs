namespace Diffusion.Ui.Tests.Support;

/// <summary>
/// A test that needs the PostgreSQL test server (DIFFUSION_TEST_POSTGRES, see tools/postgres-test-server.sh).
/// Skipped without one on a developer's machine; in CI (CI=true) it runs and fails with the reason instead.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public const string Variable = "DIFFUSION_TEST_POSTGRES";

    public PostgresFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)) && !InCi)
        {
            Skip = $"{Variable} is not set: eval \"$(tools/postgres-test-server.sh start DIR)\"";
        }
    }

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The server's URI with a fresh schema of its own, or a failure that says why there is none.</summary>
    public static string FreshSchema(out string schema)
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        Assert.False(string.IsNullOrEmpty(server), $"{Variable} is not set (CI=true: tests that need PostgreSQL fail, never skip): eval \"$(tools/postgres-test-server.sh start DIR)\"");
        schema = "ui_" + Guid.NewGuid().ToString("N")[..12];
        return server + (server!.Contains('?') ? "&" : "?") + "search_path=" + schema;
    }
}
