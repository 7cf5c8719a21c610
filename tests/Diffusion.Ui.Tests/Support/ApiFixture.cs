namespace Diffusion.Ui.Tests.Support;

/// <summary>One filled SQLite store and the dashboard over it, shared by the API tests.</summary>
public sealed class ApiFixture : IAsyncLifetime
{
    public DashboardStore Store { get; } = new();

    public InProcessDashboard Dashboard { get; private set; } = null!;

    public HttpClient Client => Dashboard.Client;

    public async Task InitializeAsync() => Dashboard = await InProcessDashboard.StartAsync(Store.ServeOptions());

    public async Task DisposeAsync()
    {
        await Dashboard.DisposeAsync();
        Store.Dispose();
    }
}
