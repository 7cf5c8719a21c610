using System.CommandLine;
using System.Text.Json;
using Diffusion.Core.Plugins;
using Diffusion.Tracking;
using static Diffusion.Cli.Commands.RunsSupport;

namespace Diffusion.Cli.Commands;

/// <summary>
/// <c>diffusion runs compare ID ID... [--maximize KEY] [--all-params] [--json]</c>: the params that differ and
/// each metric's final and best value, one column per run. Best is the minimum unless the key is maximized
/// (<see cref="MetricGoals"/>: accuracies, PSNR, throughputs ..., or named with --maximize).
/// </summary>
internal static class RunsCompareCommand
{
    public static Command Create()
    {
        var ids = CommandLine.Ids(new Argument<string[]>("run-ids") { Description = "Two or more run ids (unique prefixes are enough).", Arity = new ArgumentArity(2, 100) });
        var maximize = new Option<string[]>("--maximize")
        {
            Description = "A metric whose best value is its largest (repeatable); others are best at their smallest.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var allParams = new Option<bool>("--all-params") { Description = "Show every param, not only those that differ." };
        var json = new Option<bool>("--json") { Description = "Print a JSON object." };
        var command = new Command("compare", "Compare runs side by side: the params that differ, final and best metrics.") { ids, maximize, allParams, json };
        command.SetAction(result =>
        {
            using var store = OpenExisting(result);
            if (store is null) return CommandLine.InvalidInput;
            var runs = new List<RunDetails>();
            foreach (var id in result.GetValue(ids)!)
            {
                if (Find(store, id) is not { } details) return CommandLine.InvalidInput;
                runs.Add(details);
            }
            var higher = (result.GetValue(maximize) ?? []).ToHashSet(StringComparer.Ordinal);
            // Which way each metric improves: --maximize, else what the plugins declare ([MetricGoal]), else its name.
            var declared = PluginMetricGoals.Of(PluginDiscovery.Discover(PluginSource.Defaults([])));
            var comparison = Compare(runs, higher, declared, result.GetValue(allParams));
            if (result.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(ToJson(runs, comparison), Indented));
            else Print(runs, comparison);
            return 0;
        });
        return command;
    }

    private sealed record Comparison(List<(string Key, object?[] Values)> Params, List<MetricRow> Metrics, int SameParams, bool AllParams);

    /// <summary>One metric across runs: final and best per run (null when a run lacks it), and which run is best.</summary>
    private sealed record MetricRow(string Key, bool Maximize, double?[] Final, double?[] Best, int? BestRun);

    private static Comparison Compare(List<RunDetails> runs, HashSet<string> maximize, IReadOnlyDictionary<string, bool> declared, bool allParams)
    {
        var paramKeys = runs.SelectMany(r => r.Params.Select(p => p.Key)).Distinct().Order(StringComparer.Ordinal).ToList();
        var rows = paramKeys
            .Select(key => (Key: key, Values: runs.Select(r => r.Params.FirstOrDefault(p => p.Key == key)?.Value).ToArray()))
            .ToList();
        var differing = rows.Where(r => r.Values.Select(v => Format(v, exact: true) + (v is null ? "\0" : "")).Distinct().Count() > 1).ToList();

        var metricKeys = runs.SelectMany(r => r.Metrics.Select(m => m.Key)).Distinct().Order(StringComparer.Ordinal).ToList();
        var metrics = metricKeys.Select(key =>
        {
            var up = maximize.Contains(key) || MetricGoals.IsHigherBetter(key, declared);
            var summaries = runs.Select(r => r.Metrics.FirstOrDefault(m => m.Key == key)).ToArray();
            var final = summaries.Select(s => s is null ? (double?)null : s.Last).ToArray();
            var best = summaries.Select(s => s is null ? (double?)null : up ? s.Max : s.Min).ToArray();
            var candidates = best.Select((b, i) => (Value: b, Index: i)).Where(b => b.Value is { } v && !double.IsNaN(v)).ToList();
            int? bestRun = candidates.Count == 0 ? null
                : (up ? candidates.MaxBy(c => c.Value!.Value) : candidates.MinBy(c => c.Value!.Value)).Index;
            return new MetricRow(key, up, final, best, bestRun);
        }).ToList();
        return new Comparison(allParams ? rows : differing, metrics, rows.Count - differing.Count, allParams);
    }

    private static void Print(List<RunDetails> runs, Comparison c)
    {
        var table = new List<IReadOnlyList<string>>
        {
            Row("name", runs.Select(r => r.Run.Name)),
            Row("status", runs.Select(r => StatusText(r.Run.Status))),
            Row("started (UTC)", runs.Select(r => Format(r.Run.StartTime))),
            Row("duration", runs.Select(r => Duration(r.Run))),
            Row("", runs.Select(_ => "")),
            Row(c.AllParams ? "params:" : c.Params.Count == 0 ? $"params: all {c.SameParams} equal" : $"params that differ ({c.SameParams} equal ones hidden):", runs.Select(_ => "")),
        };
        table.AddRange(c.Params.Select(p => Row("  " + p.Key, p.Values.Select(v => v is null ? "-" : Format(v)))));
        table.Add(Row("", runs.Select(_ => "")));
        table.Add(Row("metrics (final / best; * best run):", runs.Select(_ => "")));
        foreach (var m in c.Metrics)
        {
            table.Add(Row($"  {m.Key}{(m.Maximize ? " (max)" : "")}", m.Final.Select((f, i) =>
                f is null ? "-" : $"{Num(f.Value)} / {Num(m.Best[i]!.Value)}{(m.BestRun == i ? " *" : "")}")));
        }
        PrintTable(Row("", runs.Select(r => r.Run.Id)), table);
    }

    private static IReadOnlyList<string> Row(string label, IEnumerable<string> cells) => [label, .. cells];

    private static object ToJson(List<RunDetails> runs, Comparison c) => new
    {
        runs = runs.Select(r => Json(r.Run)),
        @params = c.Params.ToDictionary(p => p.Key, p => p.Values),
        metrics = c.Metrics.ToDictionary(m => m.Key, m => new
        {
            direction = m.Maximize ? "maximize" : "minimize",
            final = m.Final,
            best = m.Best,
            best_run = m.BestRun is { } i ? runs[i].Run.Id : null,
        }),
    };
}
