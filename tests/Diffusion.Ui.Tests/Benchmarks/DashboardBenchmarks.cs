using System.Diagnostics;
using Diffusion.Tracking;
using Diffusion.Ui.Tests.Support;
using Microsoft.AspNetCore.Builder;
using PuppeteerSharp;
using Xunit.Abstractions;

namespace Diffusion.Ui.Tests.Benchmarks;

/// <summary>
/// The dashboard's figures in docs/benchmarks.md: the runs page over 10,000 runs x 1,000 metric rows (server time of
/// the first page; the browser's time to a drawn table) and a run page whose curve has 50,000 points (time to drawn).
/// The database is kept at $DIFFUSION_BENCH_DB when set, and reused if it is there.
/// </summary>
public sealed class DashboardBenchmarks(ITestOutputHelper output)
{
    [BenchmarkFact]
    public async Task Runs_page_over_ten_thousand_runs_and_a_fifty_thousand_point_curve()
    {
        var path = Environment.GetEnvironmentVariable("DIFFUSION_BENCH_DB") ?? Path.Combine(Path.GetTempPath(), "diffusion-bench-ui", "tracking.db");
        var curveRun = Fill(path);

        var options = new DashboardOptions { Database = path, Port = 0 };
        var clock = Stopwatch.StartNew();
        await using var app = Dashboard.Create(options);
        await app.StartAsync();
        Report($"server start (store opened read-only): {clock.ElapsedMilliseconds} ms");
        var url = app.Urls.Single().TrimEnd('/');
        using var http = new HttpClient { BaseAddress = new Uri(url) };

        string[] pages = ["/api/runs?limit=50", "/api/runs?limit=50&filter=" + Uri.EscapeDataString("params.lr < 0.003 AND metrics.\"train/loss\" < 0.5") + "&order=" + Uri.EscapeDataString("metrics.\"train/loss\""),
            "/api/runs?limit=50&offset=9000&columns=params.lr,params.optimizer,metrics.train/loss.min"];
        foreach (var page in pages)
        {
            var times = new List<double>();
            for (var i = 0; i < 6; i++)
            {
                clock.Restart();
                var response = await http.GetAsync(page);
                await response.Content.ReadAsByteArrayAsync();
                response.EnsureSuccessStatusCode();
                times.Add(clock.Elapsed.TotalMilliseconds);
            }

            Report($"server: GET {Uri.UnescapeDataString(page)}: first {times[0]:N0} ms, then median {Median(times.Skip(1)):N0} ms");
        }

        clock.Restart();
        var series = await http.GetStringAsync($"/api/runs/{curveRun}/metric?key=train/loss&points=1000");
        Report($"server: 50,000-point series cut to {series.Split(',').Length / 3:N0}-ish points: {clock.ElapsedMilliseconds} ms ({series.Length / 1024:N0} KiB JSON)");

        await using var browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = BrowserFactAttribute.Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            DefaultViewport = new ViewPortOptions { Width = 1280, Height = 900 },
        });
        foreach (var (hash, ready) in new[]
                 {
                     ("#/runs", ".results[data-drawn]"),
                     ("#/runs?filter=" + Uri.EscapeDataString("params.lr < 0.003 AND metrics.\"train/loss\" < 0.5") + "&order=" + Uri.EscapeDataString("metrics.\"train/loss\""), ".results[data-drawn]"),
                     ($"#/run/{curveRun}", ".charts[data-drawn]"),
                 })
        {
            var times = new List<double>();
            for (var i = 0; i < 4; i++)
            {
                await using var page = await browser.NewPageAsync();
                await page.GoToAsync($"{url}/{hash}");
                await page.WaitForSelectorAsync(ready, new WaitForSelectorOptions { Timeout = 60_000 });
                // performance.now() at the moment the table or the charts were in the page, from navigation start.
                times.Add(await page.EvaluateExpressionAsync<double>($"Number(document.querySelector('{ready.Split('[')[0]}').dataset.drawn)"));
            }

            Report($"browser: {Uri.UnescapeDataString(hash)} drawn {times[0]:N0} ms after navigation start (cold), then median {Median(times.Skip(1)):N0} ms");
        }

        await app.StopAsync();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>10,000 runs with 3 params, a tag, and 2 metrics x 500 steps each, through the real recorder; plus one run with a 50,000-point curve.</summary>
    private string Fill(string path)
    {
        const string curveName = "curve-50k";
        if (File.Exists(path))
        {
            using var existing = TrackingStores.Open(path);
            var found = existing.SearchRuns(new RunSearch { Filter = $"name = '{curveName}'", Limit = 1 }).Rows;
            if (found.Count == 1) return found[0].Run.Id;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var clock = Stopwatch.StartNew();
        var random = new Random(1);
        string[] optimizers = ["adam", "sgd", "adamw"];
        using var store = TrackingStores.Open(path);
        const int together = 20;
        for (var batch = 0; batch < 10_000 / together; batch++)
        {
            var recorders = Enumerable.Range(0, together)
                .Select(i => store.StartRun(new NewRun($"run {(batch * together) + i}", "bench", 1, "bench.yaml", "name: bench\n", "bench")))
                .ToList();
            foreach (var run in recorders)
            {
                run.LogParam("lr", Math.Pow(10, -4 + (2 * random.NextDouble())));
                run.LogParam("optimizer", optimizers[random.Next(optimizers.Length)]);
                run.LogParam("batch_size", (long)(8 << random.Next(4)));
                run.SetTag("note", random.Next(10) == 0 ? "bad seed" : "ok");
                var floor = random.NextDouble() * 0.5;
                for (var step = 0; step < 500; step++)
                {
                    run.LogMetric("train/loss", floor + (1.0 / (step + 1)) + (0.01 * random.NextDouble()), step);
                    run.LogMetric("eval", floor + (0.5 / (step + 1)), step);
                }
            }

            foreach (var run in recorders)
            {
                run.Complete();
                run.Dispose();
            }
        }

        using var curve = store.StartRun(new NewRun(curveName, "bench", 1, "bench.yaml", "name: bench\n", "bench"));
        for (var step = 0; step < 50_000; step++) curve.LogMetric("train/loss", (1.0 / Math.Sqrt(step + 1)) + (0.05 * random.NextDouble()), step);
        curve.Complete();
        Report($"filled {path}: 10,000 runs x 1,000 metric rows + one run of 50,000 points in {clock.Elapsed.TotalSeconds:N0} s");
        return curve.RunId;
    }

    private void Report(string line)
    {
        output.WriteLine(line);
        Console.WriteLine("dashboard: " + line);
    }
}
