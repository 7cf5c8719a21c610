using System.CommandLine;
using System.Text.Json;
using Diffusion.Tracking;
using static Diffusion.Cli.Commands.RunsSupport;

namespace Diffusion.Cli.Commands;

/// <summary>
/// <c>diffusion runs export --format csv|json [--filter ...] [--out FILE]</c>: runs with every param, metric
/// and tag, for a spreadsheet or a notebook. CSV has one row per run and a column per key
/// (<c>params.KEY</c>, <c>metrics.KEY</c> for the last value, <c>tags.KEY</c>); JSON nests them.
/// </summary>
internal static class RunsExportCommand
{
    public static Command Create()
    {
        var search = new RunsCommand.SearchOptions();
        var format = new Option<string>("--format") { Description = "csv or json.", Required = true };
        format.AcceptOnlyFromAmong("csv", "json");
        var output = new Option<string?>("--out") { Description = "Write to this file instead of standard output." };
        var limit = new Option<int>("--limit") { Description = "At most N runs (default: all).", DefaultValueFactory = _ => int.MaxValue };
        var command = new Command("export", "Export runs with all their params, metrics and tags as CSV or JSON.") { format, output, limit };
        search.AddTo(command);
        command.SetAction(result =>
        {
            if (result.GetValue(limit) < 1)
            {
                Console.Error.WriteLine("error: --limit must be at least 1");
                return CommandLine.InvalidInput;
            }
            using var store = OpenExisting(result);
            if (store is null || search.Build(result, store, result.GetValue(limit)) is not { } query) return CommandLine.InvalidInput;
            IReadOnlyList<RunValues> runs;
            try
            {
                runs = store.ExportRuns(query);
            }
            catch (FilterSyntaxException e)
            {
                return FilterError(e);
            }

            WriteOutput(result.GetValue(output), writer =>
            {
                if (result.GetValue(format) == "json") WriteJson(writer, runs);
                else WriteCsv(writer, runs);
            });
            if (result.GetValue(output) is { } file and not "-") Console.Error.WriteLine($"exported {runs.Count} run{(runs.Count == 1 ? "" : "s")} to {file}");
            return 0;
        });
        return command;
    }

    private static void WriteJson(TextWriter writer, IReadOnlyList<RunValues> runs)
    {
        var items = runs.Select(r =>
        {
            var item = Json(r.Run);
            item["params"] = r.Params.ToDictionary(p => p.Key, p => p.Value);
            item["metrics"] = r.Metrics.ToDictionary(m => m.Key, m => new { last = m.Last, step = m.LastStep, min = m.Min, max = m.Max, count = m.Count });
            item["tags"] = r.Tags.ToDictionary(t => t.Key, t => t.Value);
            item["artifact_folder"] = r.ArtifactRoot is { } root ? Path.Combine(root, r.Run.Id) : null;
            return item;
        });
        writer.WriteLine(JsonSerializer.Serialize(items, Indented));
    }

    private static void WriteCsv(TextWriter writer, IReadOnlyList<RunValues> runs)
    {
        var paramKeys = runs.SelectMany(r => r.Params.Select(p => p.Key)).Distinct().Order(StringComparer.Ordinal).ToList();
        var metricKeys = runs.SelectMany(r => r.Metrics.Select(m => m.Key)).Distinct().Order(StringComparer.Ordinal).ToList();
        var tagKeys = runs.SelectMany(r => r.Tags.Select(t => t.Key)).Distinct().Order(StringComparer.Ordinal).ToList();
        writer.WriteLine(CsvLine(CsvSummaryHeader
            .Append("artifact_folder")
            .Concat(paramKeys.Select(k => "params." + k))
            .Concat(metricKeys.Select(k => "metrics." + k))
            .Concat(tagKeys.Select(k => "tags." + k))));
        foreach (var run in runs)
        {
            var parameters = run.Params.ToDictionary(p => p.Key, p => p.Value);
            var metrics = run.Metrics.ToDictionary(m => m.Key, m => m.Last);
            var tags = run.Tags.ToDictionary(t => t.Key, t => t.Value);
            writer.WriteLine(CsvLine(CsvSummary(run.Run)
                .Append(run.ArtifactRoot is { } root ? Path.Combine(root, run.Run.Id) : "")
                .Concat(paramKeys.Select(k => Format(parameters.GetValueOrDefault(k), exact: true)))
                .Concat(metricKeys.Select(k => metrics.TryGetValue(k, out var v) ? Format(v, exact: true) : ""))
                .Concat(tagKeys.Select(k => tags.GetValueOrDefault(k) ?? ""))));
        }
    }
}
