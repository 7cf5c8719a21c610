using Microsoft.AspNetCore.Builder;
using PuppeteerSharp;

namespace Diffusion.Ui.Tests.Support;

/// <summary>
/// The dashboard on a real socket (127.0.0.1, a free port) over a filled store, and one headless Chromium for the
/// browser tests. Screenshots go to <see cref="Screenshots"/> (the test output folder, or $DIFFUSION_UI_SCREENSHOTS).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public DashboardStore Store { get; } = new();

    public IBrowser Browser { get; private set; } = null!;

    public string Url { get; private set; } = "";

    public string Screenshots { get; } =
        Environment.GetEnvironmentVariable("DIFFUSION_UI_SCREENSHOTS") ?? Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(BrowserFactAttribute.Chromium))
        {
            // Outside CI the tests are skipped; in CI they fail with this reason.
            Assert.False(PostgresFactAttribute.InCi, $"{BrowserFactAttribute.Chromium} is missing (CI=true: browser tests fail, never skip): apt-get install chromium");
            return;
        }

        Directory.CreateDirectory(Screenshots);
        _app = Dashboard.Create(Store.ServeOptions());
        await _app.StartAsync();
        Url = _app.Urls.Single().TrimEnd('/');
        Browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = BrowserFactAttribute.Chromium,
            Headless = true,
            // Root in a container has no user namespaces for the sandbox; /dev/shm is small there.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--font-render-hinting=none"],
            DefaultViewport = new ViewPortOptions { Width = 1280, Height = 900 },
            Timeout = 60_000,
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Store.Dispose();
    }
}
