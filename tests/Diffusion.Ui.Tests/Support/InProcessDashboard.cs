using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;

namespace Diffusion.Ui.Tests.Support;

/// <summary>The dashboard on an in-memory server (no socket), and a client for it.</summary>
public sealed class InProcessDashboard : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessDashboard(WebApplication app)
    {
        _app = app;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    public static async Task<InProcessDashboard> StartAsync(DashboardOptions options)
    {
        var app = Dashboard.Create(options, builder => builder.WebHost.UseTestServer());
        await app.StartAsync();
        return new InProcessDashboard(app);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
