using System.Globalization;
using Diffusion.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Diffusion.Ui;

/// <summary>The runs API: the searched, paged list; one run; a metric's series; a run's files.</summary>
internal static class RunsEndpoints
{
    /// <summary>The most runs one page of the list holds.</summary>
    public const int MaxPageSize = 500;

    /// <summary>The most points a series is cut to (about twice its buckets).</summary>
    private const int MaxBuckets = 5000;

    public static void Map(IEndpointRouteBuilder api, DashboardData data)
    {
        api.MapMethods("/runs", Dashboard.ReadMethods, (HttpRequest request) => List(data, request));
        api.MapMethods("/runs/{id}", Dashboard.ReadMethods, (string id) => Show(data, id));
        api.MapMethods("/runs/{id}/metric", Dashboard.ReadMethods, (string id, string? key, int? points, double? smooth) =>
            Metric(data, id, key, points ?? 1000, smooth ?? 0));
        api.MapMethods("/runs/{id}/artifacts/{**path}", Dashboard.ReadMethods, (string id, string path) => Artifact(data, id, path));
    }

    /// <summary>A run as one line of a list.</summary>
    public static object Summary(RunSummary run) => new
    {
        id = run.Id,
        name = run.Name,
        experiment = run.Experiment,
        status = run.Status.ToString().ToUpperInvariant(),
        start = run.StartTime,
        end = run.EndTime,
        seconds = run.EndTime is { } end ? Math.Round((end - run.StartTime).TotalSeconds, 1) : (double?)null,
        seed = run.Seed,
        message = run.Message,
        parent = run.ParentRunId,
    };

    private static IResult List(DashboardData data, HttpRequest request)
    {
        var query = request.Query;
        if (!Int("limit", 50, 1, MaxPageSize, out var limit, out var problem) || !Int("offset", 0, 0, int.MaxValue, out var offset, out problem))
        {
            return Dashboard.Problem(400, problem!);
        }

        var search = new RunSearch
        {
            Filter = query["filter"],
            OrderBy = query["order"],
            Columns = query["columns"],
            Experiment = NullIfEmpty(query["experiment"]),
            ParentRunId = NullIfEmpty(query["parent"]),
            // One more than a page says whether another page follows.
            Limit = limit + 1,
            Offset = offset,
        };
        try
        {
            var result = data.Runs.SearchRuns(search);
            return Results.Json(new
            {
                columns = result.Columns,
                offset,
                limit,
                more = result.Rows.Count > limit,
                rows = result.Rows.Take(limit).Select(r => new { run = Summary(r.Run), values = r.Values }),
            }, Dashboard.Json);
        }
        catch (FilterSyntaxException e)
        {
            return Results.Json(new
            {
                error = e.Message,
                clause = e.Clause ?? "filter",
                expression = e.Expression,
                start = e.Start,
                length = e.Length,
                rendered = e.Render(""),
            }, Dashboard.Json, statusCode: 400);
        }

        bool Int(string name, int fallback, int min, int max, out int value, out string? message)
        {
            message = null;
            value = fallback;
            if (query[name] is not { Count: > 0 } text) return true;
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max) return true;
            message = $"{name} must be a whole number from {min} to {max}, not '{text}'";
            return false;
        }
    }

    private static IResult Show(DashboardData data, string id)
    {
        if (Find(data, id, out var failure) is not { } run) return failure!;
        var folder = data.RunFolder(run);
        var errorLog = File.Exists(Path.Combine(folder, "error.log")) ? ArtifactUrl(run.Run.Id, "error.log") : null;
        var sweep = data.Sweeps.Find(run.Run.Id) is not null;
        return Results.Json(new
        {
            run = Summary(run.Run),
            pipelinePath = run.PipelinePath,
            pipelineText = run.PipelineText,
            pipelineHash = run.PipelineHash,
            codeVersion = run.CodeVersion,
            host = run.Host,
            pid = run.Pid,
            heartbeat = run.Heartbeat,
            @params = run.Params.Select(p => new { key = p.Key, value = p.Value, type = p.Type }),
            metrics = run.Metrics.Select(m => new { key = m.Key, last = m.Last, lastStep = m.LastStep, min = m.Min, max = m.Max, count = m.Count }),
            tags = run.Tags.Select(t => new { key = t.Key, value = t.Value }),
            artifacts = run.Artifacts.Select(a => new
            {
                path = a.Path,
                kind = a.Kind,
                bytes = a.Bytes,
                sha256 = a.Sha256,
                view = ArtifactFiles.ViewOf(a.Path),
                url = ArtifactUrl(run.Run.Id, a.Path),
            }),
            errorLog,
            isSweep = sweep,
        }, Dashboard.Json);
    }

    private static IResult Metric(DashboardData data, string id, string? key, int points, double smooth)
    {
        if (string.IsNullOrEmpty(key)) return Dashboard.Problem(400, "key is missing: /api/runs/ID/metric?key=NAME");
        if (points is < 2 or > 2 * MaxBuckets) return Dashboard.Problem(400, $"points must be from 2 to {2 * MaxBuckets}");
        if (!(smooth is >= 0 and < 1)) return Dashboard.Problem(400, "smooth must be at least 0 and below 1");
        if (Find(data, id, out var failure) is not { } run) return failure!;
        if (run.Metrics.All(m => m.Key != key)) return Dashboard.Problem(404, $"run {run.Run.Id} has no metric '{key}'");
        var history = data.Runs.MetricHistory(run.Run.Id, key);
        return Results.Json(new { key, series = MetricSeries.Shape(history, run.Run.StartTime, points / 2, smooth) }, Dashboard.Json);
    }

    private static IResult Artifact(DashboardData data, string id, string path)
    {
        if (Find(data, id, out var failure) is not { } run) return failure!;
        if (ArtifactFiles.Resolve(data.RunFolder(run), path) is not { } file)
        {
            return Dashboard.Problem(404, $"run {run.Run.Id} has no file '{path}' in its folder");
        }

        var download = ArtifactFiles.ViewOf(file) == "file" ? Path.GetFileName(file) : null;
        return Results.File(file, ArtifactFiles.ContentTypeOf(file), download, enableRangeProcessing: true);
    }

    private static RunDetails? Find(DashboardData data, string id, out IResult? failure)
    {
        failure = null;
        try
        {
            if (data.Find(id) is { } run) return run;
            failure = Dashboard.Problem(404, $"no run '{id}' in {data.Location}");
        }
        catch (AmbiguousRunIdException e)
        {
            failure = Dashboard.Problem(400, e.Message);
        }

        return null;
    }

    private static string ArtifactUrl(string runId, string path) =>
        $"/api/runs/{runId}/artifacts/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}";

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
