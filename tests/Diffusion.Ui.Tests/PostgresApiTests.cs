using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Diffusion.Ui.Tests.Support;
using Npgsql;

namespace Diffusion.Ui.Tests;

/// <summary>The dashboard over a PostgreSQL store: the same pages, read-only sessions.</summary>
public sealed class PostgresApiTests
{
    [PostgresFact]
    public async Task The_dashboard_reads_a_postgresql_store_and_changes_nothing()
    {
        var location = PostgresFactAttribute.FreshSchema(out var schema);
        try
        {
            using var store = new DashboardStore(location);
            await using var dashboard = await InProcessDashboard.StartAsync(store.ServeOptions());
            var client = dashboard.Client;

            var page = await client.GetFromJsonAsync<JsonElement>("/api/runs?filter=" + Uri.EscapeDataString("params.stages.train.lr = 0.002"));
            Assert.Equal(store.Wider, Assert.Single(page.GetProperty("rows").EnumerateArray()).GetProperty("run").GetProperty("id").GetString());
            var bad = await client.GetAsync("/api/runs?filter=" + Uri.EscapeDataString("metrics.loss <"));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var series = await client.GetFromJsonAsync<JsonElement>($"/api/runs/{store.Baseline}/metric?key=train/loss&points=100");
            Assert.InRange(series.GetProperty("series").GetProperty("steps").GetArrayLength(), 50, 102);
            var image = await client.GetAsync($"/api/runs/{store.Baseline}/artifacts/sample.png");
            Assert.Equal("image/png", image.Content.Headers.ContentType!.MediaType);
            var sweep = await client.GetFromJsonAsync<JsonElement>($"/api/sweeps/{store.Sweep}");
            Assert.Equal(5, sweep.GetProperty("trials").GetArrayLength());
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/runs/ffffffffff")).StatusCode);
        }
        finally
        {
            await using var connection = new NpgsqlConnection(ConnectionString(Environment.GetEnvironmentVariable(PostgresFactAttribute.Variable)!));
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE;", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static string ConnectionString(string uri)
    {
        var parsed = new Uri(uri.Replace("postgresql://", "http://", StringComparison.OrdinalIgnoreCase));
        var builder = new NpgsqlConnectionStringBuilder { Host = parsed.Host, Port = parsed.Port, Database = parsed.AbsolutePath.Trim('/'), Pooling = false };
        var user = parsed.UserInfo.Split(':');
        builder.Username = Uri.UnescapeDataString(user[0]);
        if (user.Length > 1) builder.Password = Uri.UnescapeDataString(user[1]);
        return builder.ConnectionString;
    }
}
