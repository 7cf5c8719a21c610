using System.Net;
using System.Security.Cryptography;
using Diffusion.Ui.Tests.Support;

namespace Diffusion.Ui.Tests;

/// <summary>Who may open the dashboard, and that looking never changes the store.</summary>
public sealed class AccessTests : IDisposable
{
    private const string Token = "s3cret-token-for-tests";

    private readonly DashboardStore _store = new();

    public void Dispose() => _store.Dispose();

    [Theory]
    [InlineData("127.0.0.1", null, true)]
    [InlineData("localhost", null, true)]
    [InlineData("::1", null, true)]
    [InlineData("0.0.0.0", null, false)]
    [InlineData("192.168.1.20", null, false)]
    [InlineData("0.0.0.0", Token, true)]
    [InlineData("127.0.0.1", "short", false)]
    public void Only_loopback_is_served_without_a_token(string host, string? token, bool allowed)
    {
        var options = _store.ServeOptions(token, host);
        Assert.Equal(allowed, options.Problem() is null);
        if (!allowed && token is null) Assert.Contains("give a token", options.Problem());
        if (!allowed) Assert.Throws<ArgumentException>(() => Dashboard.Create(options));
    }

    [Fact]
    public async Task With_a_token_every_request_needs_it_as_a_header_or_the_cookie_the_link_sets()
    {
        await using var dashboard = await InProcessDashboard.StartAsync(_store.ServeOptions(Token));
        var client = dashboard.Client;

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync($"/api/runs/{_store.Baseline}/artifacts/sample.png")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/runs?token=wrong-token-value")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(client, "/api/runs", "Bearer wrong-token-value")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send(client, "/api/runs", $"Bearer {Token}")).StatusCode);

        var link = await client.GetAsync($"/?token={Token}&x=1");
        Assert.Equal(HttpStatusCode.Redirect, link.StatusCode);
        Assert.Equal("/?x=1", link.Headers.Location!.OriginalString);
        var cookie = link.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        var withCookie = new HttpRequestMessage(HttpMethod.Get, $"/api/runs/{_store.Baseline}/artifacts/sample.png");
        withCookie.Headers.Add("Cookie", cookie.Split(';')[0]);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(withCookie)).StatusCode);
    }

    [Fact]
    public async Task Without_a_token_only_requests_addressed_to_this_machine_are_answered()
    {
        await using var dashboard = await InProcessDashboard.StartAsync(_store.ServeOptions());

        foreach (var (host, expected) in new[] { ("localhost:5600", HttpStatusCode.OK), ("127.0.0.1:5600", HttpStatusCode.OK), ("[::1]:5600", HttpStatusCode.OK), ("evil.example:5600", HttpStatusCode.BadRequest) })
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/runs");
            request.Headers.Host = host;
            Assert.Equal(expected, (await dashboard.Client.SendAsync(request)).StatusCode);
        }
    }

    [Fact]
    public async Task Looking_at_every_page_leaves_the_database_as_it_was()
    {
        // A run whose process is gone: a writing store would record it KILLED; the dashboard only reports it so.
        using (var sqlite = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_store.Location};Pooling=False"))
        {
            sqlite.Open();
            using var command = sqlite.CreateCommand();
            command.CommandText = $"UPDATE runs SET host = 'elsewhere', heartbeat = 1 WHERE id = '{_store.Failed}'; UPDATE runs SET status = 'RUNNING' WHERE id = '{_store.Failed}'; PRAGMA wal_checkpoint(TRUNCATE);";
            command.ExecuteNonQuery();
        }

        _store.Live.Dispose(); // its writer would change the file; the run stays RUNNING in the file
        var before = Fingerprint();
        await using (var dashboard = await InProcessDashboard.StartAsync(_store.ServeOptions()))
        {
            foreach (var path in new[]
                     {
                         "/api/runs", "/api/runs?filter=status%20%3D%20'RUNNING'", $"/api/runs/{_store.Failed}", $"/api/runs/{_store.Baseline}/metric?key=train/loss",
                         $"/api/runs/{_store.Baseline}/artifacts/sample.png", "/api/sweeps", $"/api/sweeps/{_store.Sweep}", "/",
                     })
            {
                Assert.Equal(HttpStatusCode.OK, (await dashboard.Client.GetAsync(path)).StatusCode);
            }

            var failed = await dashboard.Client.GetStringAsync($"/api/runs/{_store.Failed}");
            Assert.Contains("\"status\":\"KILLED\"", failed);
        }

        Assert.Equal(before, Fingerprint());
    }

    [Fact]
    public void A_missing_database_is_reported_and_not_created()
    {
        var path = Path.Combine(_store.Folder, "nowhere", "tracking.db");
        var error = Assert.Throws<Diffusion.Tracking.TrackingStoreException>(() => Dashboard.Create(new DashboardOptions { Database = path, Port = 0 }));
        Assert.Contains("no tracking database", error.Message);
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, string path, string authorization)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return client.SendAsync(request);
    }

    /// <summary>The bytes of the database and its WAL (what any write would change).</summary>
    private string Fingerprint() =>
        string.Join(",", new[] { "", "-wal" }.Select(suffix => _store.Location + suffix)
            .Select(f => File.Exists(f) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))) : "none"));
}
