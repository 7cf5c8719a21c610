using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Diffusion.Ui.Tests.Support;

namespace Diffusion.Ui.Tests;

public sealed class ApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private HttpClient Client => fixture.Client;

    private DashboardStore Store => fixture.Store;

    [Fact]
    public async Task Runs_are_listed_newest_first_with_their_status_and_the_columns_asked_for()
    {
        var page = await Json("/api/runs?columns=params.stages.train.lr,metrics.train/loss.min&filter=experiment%20%3D%20'exp'");

        var rows = page.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(["params.stages.train.lr", "metrics.train/loss.min"], page.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("live", rows[0].GetProperty("run").GetProperty("name").GetString());
        Assert.Equal("RUNNING", rows[0].GetProperty("run").GetProperty("status").GetString());
        var baseline = rows.Single(r => r.GetProperty("run").GetProperty("id").GetString() == Store.Baseline);
        Assert.Equal("COMPLETED", baseline.GetProperty("run").GetProperty("status").GetString());
        Assert.Equal(0.001, baseline.GetProperty("values")[0].GetDouble());
        Assert.Equal(0.10 + (1.0 / (1 + (299 * 0.001 * 50))), baseline.GetProperty("values")[1].GetDouble(), 12);
        Assert.Contains(rows, r => r.GetProperty("run").GetProperty("status").GetString() == "FAILED");
    }

    [Fact]
    public async Task A_filter_and_an_order_choose_and_sort_the_runs()
    {
        var page = await Json("/api/runs?filter=" + Uri.EscapeDataString("params.stages.train.lr >= 0.001 AND tags.note LIKE '%der'") + "&order=" + Uri.EscapeDataString("metrics.`train/loss` DESC"));

        Assert.Equal([Store.Wider], page.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("run").GetProperty("id").GetString()));
        var sorted = await Json("/api/runs?filter=" + Uri.EscapeDataString("experiment = 'exp' AND status = 'COMPLETED' AND metrics.`train/loss` < 1") + "&order=" + Uri.EscapeDataString("metrics.`train/loss` ASC"));
        Assert.Equal([Store.Wider, Store.Baseline], sorted.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("run").GetProperty("id").GetString()).Take(2));
    }

    [Fact]
    public async Task Pages_cover_every_run_once_and_say_when_another_follows()
    {
        var seen = new List<string>();
        var offset = 0;
        while (true)
        {
            var page = await Json($"/api/runs?filter=experiment%20%3D%20'bulk'&order=params.index&limit=25&offset={offset}");
            seen.AddRange(page.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("run").GetProperty("name").GetString()!));
            if (!page.GetProperty("more").GetBoolean()) break;
            offset += 25;
        }

        Assert.Equal(Enumerable.Range(0, Store.FillerRuns).Select(i => $"filler {i:D2}"), seen);
    }

    [Theory]
    [InlineData("filter", "metrics.loss < AND status = 'COMPLETED'", "filter", 15, "^^^")]
    [InlineData("filter", "params.lr = 'unterminated", "filter", 12, "^")]
    [InlineData("order", "metrics.loss SIDEWAYS", "order-by", 13, "^")]
    [InlineData("columns", "params.lr, ,", "columns", 11, "^")]
    public async Task A_bad_expression_is_a_400_that_points_at_the_mistake(string parameter, string expression, string clause, int start, string carets)
    {
        var response = await Client.GetAsync($"/api/runs?{parameter}={Uri.EscapeDataString(expression)}");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(clause, body.GetProperty("clause").GetString());
        Assert.Equal(expression, body.GetProperty("expression").GetString());
        Assert.Equal(start, body.GetProperty("start").GetInt32());
        var lines = body.GetProperty("rendered").GetString()!.Split('\n');
        Assert.Equal(expression, lines[1]);
        Assert.StartsWith(new string(' ', start) + carets, lines[2]);
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error").GetString()));
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=501")]
    [InlineData("limit=ten")]
    [InlineData("offset=-1")]
    public async Task A_bad_page_is_a_400(string query)
    {
        var response = await Client.GetAsync($"/api/runs?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("must be a whole number", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_run_shows_its_params_tags_metric_summaries_files_and_pipeline()
    {
        var run = await Json($"/api/runs/{Store.Baseline[..6]}");

        Assert.Equal(Store.Baseline, run.GetProperty("run").GetProperty("id").GetString());
        Assert.Equal(0.001, Param(run, "stages.train.lr").GetDouble());
        Assert.Equal(32, Param(run, "stages.train.batch_size").GetInt64());
        Assert.Equal("baseline", run.GetProperty("tags")[0].GetProperty("value").GetString());
        var loss = run.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("key").GetString() == "train/loss");
        Assert.Equal(300, loss.GetProperty("count").GetInt64());
        Assert.Equal(1.1, loss.GetProperty("max").GetDouble(), 12);
        Assert.True(loss.GetProperty("min").GetDouble() < loss.GetProperty("max").GetDouble());
        var views = run.GetProperty("artifacts").EnumerateArray().ToDictionary(a => a.GetProperty("path").GetString()!, a => a.GetProperty("view").GetString());
        Assert.Equal("image", views["sample.png"]);
        Assert.Equal("text", views["samples.txt"]);
        Assert.Equal("file", views["model.safetensors"]);
        Assert.Equal($"/api/runs/{Store.Baseline}/artifacts/sample.png", run.GetProperty("artifacts").EnumerateArray().First(a => a.GetProperty("path").GetString() == "sample.png").GetProperty("url").GetString());
        Assert.Contains("name: baseline", run.GetProperty("pipelineText").GetString());
        Assert.Equal(JsonValueKind.Null, run.GetProperty("errorLog").ValueKind);
        Assert.False(run.GetProperty("isSweep").GetBoolean());
    }

    [Fact]
    public async Task A_failed_run_links_its_error_log_and_a_sweep_parent_says_it_is_one()
    {
        var failed = await Json($"/api/runs/{Store.Failed}");
        var log = await Client.GetStringAsync(failed.GetProperty("errorLog").GetString());

        Assert.Equal("FAILED", failed.GetProperty("run").GetProperty("status").GetString());
        Assert.Contains("loss became NaN at step 3", failed.GetProperty("run").GetProperty("message").GetString());
        Assert.StartsWith("System.InvalidOperationException: loss became NaN", log);
        Assert.Equal("NaN", failed.GetProperty("metrics")[0].GetProperty("last").GetString());
        Assert.True((await Json($"/api/runs/{Store.Sweep}")).GetProperty("isSweep").GetBoolean());
    }

    [Theory]
    [InlineData("/api/runs/ffffffffff")]
    [InlineData("/api/runs/ffffffffff/metric?key=train/loss")]
    [InlineData("/api/runs/ffffffffff/artifacts/sample.png")]
    [InlineData("/api/runs/not-an-id!")]
    [InlineData("/api/sweeps/ffffffffff")]
    [InlineData("/api/nothing/here")]
    public async Task Unknown_ids_and_routes_are_404(string path)
    {
        var response = await Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()));
    }

    [Fact]
    public async Task A_metric_series_is_every_point_when_short_and_smoothing_averages_it()
    {
        var raw = (await Json($"/api/runs/{Store.Baseline}/metric?key=train/loss&points=1000")).GetProperty("series");
        var smooth = (await Json($"/api/runs/{Store.Baseline}/metric?key=train/loss&points=1000&smooth=0.9")).GetProperty("series");

        Assert.Equal(300, raw.GetProperty("total").GetInt32());
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), raw.GetProperty("steps").EnumerateArray().Select(s => s.GetInt64()));
        Assert.Equal(1.1, raw.GetProperty("values")[0].GetDouble(), 12);
        // Debiased EMA: the first point is the first value; later points lag behind the falling curve.
        Assert.Equal(1.1, smooth.GetProperty("values")[0].GetDouble(), 12);
        Assert.True(smooth.GetProperty("values")[10].GetDouble() > raw.GetProperty("values")[10].GetDouble());
        Assert.Equal(300, raw.GetProperty("seconds").GetArrayLength());
    }

    [Theory]
    [InlineData("/api/runs/{0}/metric", HttpStatusCode.BadRequest)]
    [InlineData("/api/runs/{0}/metric?key=nope", HttpStatusCode.NotFound)]
    [InlineData("/api/runs/{0}/metric?key=train/loss&points=1", HttpStatusCode.BadRequest)]
    [InlineData("/api/runs/{0}/metric?key=train/loss&smooth=1", HttpStatusCode.BadRequest)]
    public async Task A_bad_metric_request_says_why(string path, HttpStatusCode expected) =>
        Assert.Equal(expected, (await Client.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, path, Store.Baseline))).StatusCode);

    [Fact]
    public async Task Artifacts_are_streamed_with_a_type_the_browser_will_not_run()
    {
        var image = await Client.GetAsync($"/api/runs/{Store.Baseline}/artifacts/sample.png");
        var text = await Client.GetAsync($"/api/runs/{Store.Baseline}/artifacts/samples.txt");
        var binary = await Client.GetAsync($"/api/runs/{Store.Baseline}/artifacts/model.safetensors");

        Assert.Equal("image/png", image.Content.Headers.ContentType!.MediaType);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Store.ArtifactRoot, Store.Baseline, "sample.png")), await image.Content.ReadAsByteArrayAsync());
        Assert.Equal("text/plain", text.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("a baseline sample", await text.Content.ReadAsStringAsync());
        Assert.Equal("application/octet-stream", binary.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", binary.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("nosniff", image.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Theory]
    [InlineData("../secret.txt")]
    [InlineData("..%2Fsecret.txt")]
    [InlineData("%2E%2E/secret.txt")]
    [InlineData("%2E%2E%2Fsecret.txt")]
    [InlineData("./../secret.txt")]
    [InlineData("%2Fetc%2Fpasswd")]
    [InlineData("..%5Csecret.txt")]
    [InlineData("link.txt")]
    [InlineData("outside/secret.txt")]
    [InlineData("sample%01.png")]
    [InlineData("")]
    public async Task Nothing_outside_the_run_folder_is_served(string path)
    {
        var response = await Client.GetAsync($"/api/runs/{Store.Baseline}/artifacts/{path}");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.BadRequest });
        Assert.DoesNotContain(DashboardStore.Secret, body);
        Assert.DoesNotContain("root:", body);
    }

    [Fact]
    public async Task Sweeps_list_their_progress_and_best_trial()
    {
        var sweeps = await Json("/api/sweeps");

        var sweep = Assert.Single(sweeps.EnumerateArray());
        Assert.Equal(Store.Sweep, sweep.GetProperty("id").GetString());
        Assert.Equal(("eval/fd", "minimize", "COMPLETED"), (sweep.GetProperty("objective").GetString(), sweep.GetProperty("direction").GetString(), sweep.GetProperty("state").GetString()));
        Assert.Equal((3, 1, 1), (sweep.GetProperty("counts").GetProperty("COMPLETED").GetInt32(), sweep.GetProperty("counts").GetProperty("PRUNED").GetInt32(), sweep.GetProperty("counts").GetProperty("FAILED").GetInt32()));
        Assert.Equal((3, 0.2), (sweep.GetProperty("best").GetProperty("number").GetInt32(), sweep.GetProperty("best").GetProperty("value").GetDouble()));
    }

    [Fact]
    public async Task A_sweep_shows_every_trial_with_its_point_state_value_and_run()
    {
        var sweep = await Json($"/api/sweeps/{Store.Sweep[..7]}");

        var trials = sweep.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(["COMPLETED", "COMPLETED", "PRUNED", "COMPLETED", "FAILED"], trials.Select(t => t.GetProperty("state").GetString()));
        Assert.Equal("0.01", trials[2].GetProperty("point").GetProperty("stages.train.lr").GetString());
        Assert.Equal("pruned at step 10 (median rule)", trials[2].GetProperty("message").GetString());
        Assert.All(trials, t => Assert.Equal(10, t.GetProperty("runId").GetString()!.Length));
        Assert.Equal(["stages.train.steps=20"], sweep.GetProperty("overrides").EnumerateArray().Select(o => o.GetString()));
    }

    [Theory]
    [InlineData("POST", "/api/runs")]
    [InlineData("PUT", "/api/runs/{0}")]
    [InlineData("DELETE", "/api/runs/{0}")]
    [InlineData("PATCH", "/api/runs/{0}")]
    [InlineData("DELETE", "/api/runs/{0}/artifacts/sample.png")]
    [InlineData("PUT", "/api/runs/{0}/artifacts/new.png")]
    [InlineData("POST", "/api/sweeps")]
    [InlineData("OPTIONS", "/api/runs")]
    [InlineData("POST", "/")]
    public async Task Every_method_that_could_write_is_refused(string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), string.Format(System.Globalization.CultureInfo.InvariantCulture, path, Store.Baseline))
        {
            Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json"),
        };

        var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "HEAD"], response.Content.Headers.Allow);
        Assert.True(File.Exists(Path.Combine(Store.ArtifactRoot, Store.Baseline, "sample.png")));
        Assert.False(File.Exists(Path.Combine(Store.ArtifactRoot, Store.Baseline, "new.png")));
    }

    [Fact]
    public async Task Head_answers_like_get_without_a_body()
    {
        var response = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/api/runs/{Store.Baseline}/artifacts/sample.png"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType!.MediaType);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task The_page_is_served_for_the_root_and_for_any_page_path()
    {
        var root = await Client.GetAsync("/");
        var deep = await Client.GetAsync("/some/page");
        var script = await Client.GetAsync("/main.js");

        Assert.Equal("text/html", root.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<main id=\"page\">", await root.Content.ReadAsStringAsync());
        Assert.Contains("<main id=\"page\">", await deep.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Contains("default-src 'self'", root.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task Info_names_the_store()
    {
        var info = await Json("/api/info");
        Assert.Equal(Store.Location, info.GetProperty("location").GetString());
        Assert.True(info.GetProperty("readOnly").GetBoolean());
    }

    private static JsonElement Param(JsonElement run, string key) =>
        run.GetProperty("params").EnumerateArray().Single(p => p.GetProperty("key").GetString() == key).GetProperty("value");

    private async Task<JsonElement> Json(string path)
    {
        var response = await Client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
