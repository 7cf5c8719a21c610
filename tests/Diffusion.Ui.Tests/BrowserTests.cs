using Diffusion.Ui.Tests.Support;
using PuppeteerSharp;

namespace Diffusion.Ui.Tests;

/// <summary>The pages in headless Chromium over a filled store: what a user sees, drawn and loaded, with no script errors.</summary>
public sealed class BrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    /// <summary>Counts the canvas pixels of a colour (a curve's stroke), so a chart with only axes does not pass.</summary>
    private const string CountColour = """
        (selector, r, g, b) => [...document.querySelectorAll(selector)].reduce((n, c) => {
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - r) < 40 && Math.abs(d[i + 1] - g) < 40 && Math.abs(d[i + 2] - b) < 40 && d[i + 3] > 100) n++;
          return n;
        }, 0)
        """;

    private readonly List<string> _errors = [];

    private DashboardStore Store => fixture.Store;

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Every page of a test ran without a script error.</summary>
    public Task DisposeAsync()
    {
        Assert.True(_errors.Count == 0, "script errors: " + string.Join(" | ", _errors));
        return Task.CompletedTask;
    }

    [BrowserFact]
    public async Task The_runs_page_pages_filters_and_puts_a_caret_under_a_mistake()
    {
        await using var page = await Open("#/runs");
        await page.WaitForSelectorAsync("table.runs tbody tr");
        Assert.Equal(50, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('table.runs tbody tr').length"));
        Assert.False(await page.EvaluateExpressionAsync<bool>("document.querySelector('button.next').disabled"));
        await page.ClickAsync("button.next");
        await page.WaitForFunctionAsync("() => document.querySelector('.range')?.textContent.startsWith('runs 51')");

        await page.TypeAsync("input.filter", "metrics.loss < AND status = 'COMPLETED'");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync(".filter-error:not([hidden]) pre.caret");
        var caret = await page.EvaluateExpressionAsync<string>("document.querySelector('.filter-error pre.caret').textContent");
        Assert.Equal(["metrics.loss < AND status = 'COMPLETED'", "               ^^^"], caret.Split('\n'));
        await Shot(page, "runs-filter-error");

        await page.EvaluateExpressionAsync("document.querySelector('input.filter').value = ''");
        await page.TypeAsync("input.filter", "experiment = 'exp' AND parent IS NULL");
        await page.TypeAsync("input.columns", "params.stages.train.lr, metrics.train/loss.min, metrics.eval/fd");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync("() => document.querySelector('.filter-error').hidden && document.querySelectorAll('table.runs tbody tr').length === 5");
        var names = await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('table.runs tbody tr td:nth-child(3)')].map(td => td.textContent)");
        Assert.Equal(["live", "tiny sweep", "broken", "wider", "baseline"], names);
        var badges = await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('table.runs .badge')].map(b => b.className)");
        Assert.Contains("badge status-running", badges);
        Assert.Contains("badge status-failed", badges);

        // Sort by a chosen column: the header sorts the runs by it.
        await page.EvaluateExpressionAsync("[...document.querySelectorAll('th a.sort')].find(a => a.textContent.startsWith('params.stages.train.lr')).click()");
        await page.WaitForFunctionAsync("() => location.hash.includes('order=')");
        await page.WaitForFunctionAsync("() => document.querySelector('table.runs tbody tr td:nth-child(3)')?.textContent === 'baseline'");
        await Shot(page, "runs");
    }

    [BrowserFact]
    public async Task A_run_shows_its_falling_curve_its_sample_grid_and_text_samples()
    {
        await using var page = await Open($"#/run/{Store.Baseline}");
        await page.WaitForSelectorAsync(".charts[data-drawn] .chart canvas");
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('.gallery img')].every(i => i.complete && i.naturalWidth > 0)");

        Assert.True(await page.EvaluateFunctionAsync<int>(CountColour, ".chart canvas", 37, 99, 235) > 200, "the train/loss curve was not drawn");
        Assert.Equal(64, await page.EvaluateExpressionAsync<int>("document.querySelector('.gallery img').naturalWidth"));
        await page.WaitForFunctionAsync("() => document.querySelector('pre.text-sample')?.textContent.includes('a baseline sample')");
        Assert.Contains("name: baseline", await page.EvaluateExpressionAsync<string>("document.querySelector('pre.pipeline').textContent"));
        Assert.Contains("stages.train.lr", await page.EvaluateExpressionAsync<string>("document.body.innerText"));

        // Log scale redraws the same curve (the test's points were logged within a millisecond, so not on the time axis).
        await Shot(page, "run");
        var drawn = await page.EvaluateExpressionAsync<string>("document.querySelector('.charts').dataset.drawn");
        await page.ClickAsync("input.log-scale");
        await page.WaitForFunctionAsync("d => document.querySelector('.charts').dataset.drawn !== d && document.querySelector('.chart canvas')", drawn);
        Assert.True(await page.EvaluateFunctionAsync<int>(CountColour, ".chart canvas", 37, 99, 235) > 200);
    }

    [BrowserFact]
    public async Task A_failed_run_shows_its_error_log()
    {
        await using var page = await Open($"#/run/{Store.Failed}");
        await page.WaitForFunctionAsync("() => document.querySelector('pre.error-log')?.textContent.includes('loss became NaN at step 3')");
        Assert.Contains("badge status-failed", await page.EvaluateExpressionAsync<string>("document.querySelector('h1 .badge').className"));
    }

    [BrowserFact]
    public async Task A_running_run_gets_new_points_without_a_reload()
    {
        await using var page = await Open($"#/run/{Store.Live.RunId}");
        await page.WaitForSelectorAsync(".charts[data-drawn] .chart canvas");
        await page.WaitForSelectorAsync("h1 .live");
        Assert.Equal("10", await LossCount());
        await page.EvaluateExpressionAsync("window.notReloaded = true");

        for (var step = 10; step < 40; step++) Store.Live.LogMetric("train/loss", 1.0 / (step + 1), step);
        Store.Live.Flush();

        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('table.metrics tr')].some(tr => tr.cells[0].textContent === 'train/loss' && tr.cells[4].textContent === '40')",
            new WaitForFunctionOptions { Timeout = 15_000 });
        Assert.True(await page.EvaluateExpressionAsync<bool>("window.notReloaded === true"));

        async Task<string> LossCount() => await page.EvaluateExpressionAsync<string>(
            "[...document.querySelectorAll('table.metrics tr')].find(tr => tr.cells[0].textContent === 'train/loss').cells[4].textContent");
    }

    [BrowserFact]
    public async Task Two_runs_picked_on_the_runs_page_compare_side_by_side()
    {
        await using var page = await Open("#/runs?filter=" + Uri.EscapeDataString("name IN ('baseline', 'wider')"));
        await page.WaitForFunctionAsync("() => document.querySelectorAll('table.runs tbody tr').length === 2");
        foreach (var box in await page.QuerySelectorAllAsync("table.runs tbody input[type=checkbox]")) await box.ClickAsync();
        await page.ClickAsync("button.compare");
        await page.WaitForSelectorAsync(".charts[data-drawn] .chart canvas");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('.side-by-side img').length === 2 && [...document.querySelectorAll('.side-by-side img')].every(i => i.complete && i.naturalWidth > 0)");

        var differing = await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('table.differing tbody tr td:first-child')].map(td => td.textContent)");
        Assert.Equal(["stages.train.lr"], differing);
        // Both curves overlaid: the first run's colour and the second's.
        Assert.True(await page.EvaluateFunctionAsync<int>(CountColour, ".chart canvas", 37, 99, 235) > 100);
        Assert.True(await page.EvaluateFunctionAsync<int>(CountColour, ".chart canvas", 220, 38, 38) > 100);
        await Shot(page, "compare");
    }

    [BrowserFact]
    public async Task A_sweep_shows_its_trials_the_best_so_far_and_parallel_coordinates()
    {
        await using var page = await Open("#/sweeps");
        await page.WaitForSelectorAsync("table.sweeps tbody tr");
        await Shot(page, "sweeps");
        await page.ClickAsync("table.sweeps tbody a");
        await page.WaitForSelectorAsync(".page-sweep[data-drawn] table.trials");

        Assert.Equal(["COMPLETED", "COMPLETED", "PRUNED", "COMPLETED", "FAILED"],
            await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('table.trials tbody .badge')].map(b => b.textContent)"));
        Assert.Contains("Best: 0.2 at trial 3", await page.EvaluateExpressionAsync<string>("document.body.innerText"));
        // The objective's points (blue), the best-so-far line (green), the pruned marker (amber); the coordinates drawn.
        Assert.True(await page.EvaluateFunctionAsync<int>(CountColour, ".objective canvas", 37, 99, 235) > 20);
        Assert.True(await page.EvaluateFunctionAsync<int>(CountColour, ".objective canvas", 22, 163, 74) > 50);
        Assert.True(await page.EvaluateFunctionAsync<int>(CountColour, ".objective canvas", 245, 158, 11) > 10);
        Assert.True(await page.EvaluateFunctionAsync<int>(CountColour, "canvas.parallel", 32, 182, 57) > 100, "the best trial's line was not drawn");
        await Shot(page, "sweep");
    }

    private async Task<IPage> Open(string hash)
    {
        var page = await fixture.Browser.NewPageAsync();
        page.PageError += (_, e) => _errors.Add(e.Message);
        page.Console += (_, e) =>
        {
            // A bad filter's 400 is expected (the page shows it); Chromium logs it anyway.
            if (e.Message.Type == ConsoleType.Error && !e.Message.Text.Contains("status of 400", StringComparison.Ordinal)) _errors.Add(e.Message.Text);
        };
        await page.GoToAsync($"{fixture.Url}/{hash}", WaitUntilNavigation.Load);
        return page;
    }

    private async Task Shot(IPage page, string name)
    {
        await Task.Delay(150);
        await page.ScreenshotAsync(Path.Combine(fixture.Screenshots, name + ".png"), new ScreenshotOptions { FullPage = true });
    }
}
