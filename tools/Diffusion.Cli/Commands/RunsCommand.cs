using System.CommandLine;
using System.Text.Json;
using Diffusion.Tracking;
using static Diffusion.Cli.Commands.RunsSupport;

namespace Diffusion.Cli.Commands;

/// <summary>
/// <c>diffusion runs list|show|compare|plot|export|tag|delete|restore|query</c>: look at, search and annotate
/// recorded runs. The filter language is described in docs/tracking.md.
/// </summary>
internal static class RunsCommand
{
    public static Command Create()
    {
        var command = new Command("runs", "Look at, search, compare and plot recorded runs.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(RunsCompareCommand.Create());
        command.Subcommands.Add(RunsPlotCommand.Create());
        command.Subcommands.Add(RunsExportCommand.Create());
        foreach (var edit in RunsEditCommands.Create()) command.Subcommands.Add(edit);
        command.Subcommands.Add(RunsQueryCommand.Create());
        command.Subcommands.Add(RunsMigrateCommand.Create());
        return command;
    }

    /// <summary>The options that choose runs, shared by list and export.</summary>
    internal sealed class SearchOptions
    {
        public Option<string?> Filter { get; } = new("--filter")
        {
            Description = "Only runs matching EXPR, e.g. \"params.stages.train.lr < 1e-3 AND metrics.\\\"train/loss\\\" < 0.05 OR tags.note LIKE '%ema%'\" (see docs/tracking.md).",
        };

        public Option<string?> OrderBy { get; } = new("--order-by")
        {
            Description = "Sort by comma-separated keys, each ASC (default) or DESC, e.g. \"metrics.eval/loss, start_time DESC\"; missing values last.",
        };

        public Option<string?> Experiment { get; } = new("--experiment") { Description = "Only runs of this experiment." };

        public Option<string?> Parent { get; } = new("--parent") { Description = "Only the child runs of this run (e.g. a sweep's trials)." };

        public Option<bool> Deleted { get; } = new("--deleted") { Description = "List deleted runs instead (see runs restore)." };

        public void AddTo(Command command)
        {
            command.Options.Add(Filter);
            command.Options.Add(OrderBy);
            command.Options.Add(Experiment);
            command.Options.Add(Parent);
            command.Options.Add(Deleted);
        }

        /// <summary>The search, or null after an error (an unknown parent run) was printed.</summary>
        public RunSearch? Build(ParseResult result, ITrackingStore store, int limit, string? columns = null)
        {
            string? parent = null;
            if (result.GetValue(Parent) is { } prefix)
            {
                if (Find(store, prefix) is not { } details) return null;
                parent = details.Run.Id;
            }
            return new RunSearch
            {
                Filter = result.GetValue(Filter),
                OrderBy = result.GetValue(OrderBy),
                Columns = columns,
                Limit = limit,
                Experiment = result.GetValue(Experiment),
                ParentRunId = parent,
                Deleted = result.GetValue(Deleted),
            };
        }
    }

    private static Command List()
    {
        var search = new SearchOptions();
        var columns = new Option<string?>("--columns") { Description = "Extra columns, comma-separated (e.g. \"params.stages.train.lr, metrics.train/loss.min\"); the keys in --filter and --order-by are shown too." };
        var limit = new Option<int>("--limit") { Description = "At most N runs (default 50).", DefaultValueFactory = _ => 50 };
        var json = new Option<bool>("--json") { Description = "Print a JSON array." };
        var csv = new Option<bool>("--csv") { Description = "Print CSV with a header line." };
        var command = new Command("list", "List runs, newest first, or those matching --filter in --order-by order.") { columns, limit, json, csv };
        search.AddTo(command);
        command.SetAction(result =>
        {
            if (result.GetValue(json) && result.GetValue(csv))
            {
                Console.Error.WriteLine("error: choose one of --json and --csv");
                return CommandLine.InvalidInput;
            }
            if (result.GetValue(limit) < 1)
            {
                Console.Error.WriteLine("error: --limit must be at least 1");
                return CommandLine.InvalidInput;
            }
            if (CommandLine.Tracking(result) is not { } tracking) return CommandLine.InvalidInput;
            if (!tracking.Exists)
            {
                try
                {
                    new RunSearch
                    {
                        Filter = result.GetValue(search.Filter),
                        OrderBy = result.GetValue(search.OrderBy),
                        Columns = result.GetValue(columns),
                        Limit = result.GetValue(limit),
                    }.CheckSyntax();
                }
                catch (FilterSyntaxException e)
                {
                    return FilterError(e);
                }
                Console.Error.WriteLine($"no runs yet: {tracking.Location} does not exist (run a pipeline first, or pass --db PATH)");
                if (result.GetValue(json)) Console.WriteLine("[]");
                return 0;
            }
            using var store = tracking.Open();
            if (search.Build(result, store, result.GetValue(limit), result.GetValue(columns)) is not { } query) return CommandLine.InvalidInput;
            RunSearchResult found;
            try
            {
                found = store.SearchRuns(query);
            }
            catch (FilterSyntaxException e)
            {
                return FilterError(e);
            }

            if (result.GetValue(json)) PrintJson(found);
            else if (result.GetValue(csv)) PrintCsv(found);
            else PrintText(found);
            return 0;
        });
        return command;
    }

    private static void PrintJson(RunSearchResult found)
    {
        var items = found.Rows.Select(row =>
        {
            var item = Json(row.Run);
            if (found.Columns.Count > 0) item["columns"] = found.Columns.Zip(row.Values).ToDictionary(c => c.First, c => c.Second);
            return item;
        });
        Console.WriteLine(JsonSerializer.Serialize(items, Indented));
    }

    private static void PrintCsv(RunSearchResult found)
    {
        Console.WriteLine(CsvLine(CsvSummaryHeader.Concat(found.Columns)));
        foreach (var row in found.Rows)
            Console.WriteLine(CsvLine(CsvSummary(row.Run).Concat(row.Values.Select(v => Format(v, exact: true)))));
    }

    private static void PrintText(RunSearchResult found)
    {
        string[] header = ["ID", "NAME", "STATUS", "STARTED (UTC)", "DURATION", .. found.Columns, "MESSAGE"];
        var rows = found.Rows.Select(row => (IReadOnlyList<string>)
        [
            row.Run.Id, Trim(row.Run.Name, 24), StatusText(row.Run.Status), Format(row.Run.StartTime), Duration(row.Run),
            .. row.Values.Select(v => v is null ? "-" : Format(v)), row.Run.Message ?? "",
        ]);
        PrintTable(header, rows);
    }

    private static Command Show()
    {
        var id = CommandLine.Ids(new Argument<string>("run-id") { Description = "The run id (a unique prefix is enough)." });
        var json = new Option<bool>("--json") { Description = "Print a JSON object." };
        var command = new Command("show", "Show a run: status, params, metrics, tags, artifacts.") { id, json };
        command.SetAction(result =>
        {
            using var store = OpenExisting(result);
            if (store is null || Find(store, result.GetValue(id)!) is not { } details) return CommandLine.InvalidInput;
            var children = store.SearchRuns(new RunSearch { ParentRunId = details.Run.Id, Limit = int.MaxValue }).Rows.Count;
            string folder = Path.Combine(CommandLine.ArtifactRootOf(result, details.ArtifactRoot), details.Run.Id);
            if (result.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(ToJson(details, folder, children), Indented));
            else PrintDetails(details, folder, children);
            return 0;
        });
        return command;
    }

    private static object ToJson(RunDetails d, string folder, int children) => new
    {
        id = d.Run.Id,
        name = d.Run.Name,
        experiment = d.Run.Experiment,
        status = StatusText(d.Run.Status),
        start_time = d.Run.StartTime,
        end_time = d.Run.EndTime,
        heartbeat = d.Heartbeat,
        seed = d.Run.Seed,
        message = d.Run.Message,
        parent_run_id = d.Run.ParentRunId,
        child_runs = children,
        pipeline_path = d.PipelinePath,
        pipeline_hash = d.PipelineHash,
        code_version = d.CodeVersion,
        host = d.Host,
        artifact_root = Path.GetDirectoryName(folder),
        artifact_folder = folder,
        @params = d.Params.ToDictionary(p => p.Key, p => p.Value),
        metrics = d.Metrics.ToDictionary(m => m.Key, m => new { last = m.Last, step = m.LastStep, min = m.Min, max = m.Max, count = m.Count }),
        tags = d.Tags.ToDictionary(t => t.Key, t => t.Value),
        artifacts = d.Artifacts.Select(a => new { path = a.Path, kind = a.Kind, sha256 = a.Sha256, bytes = a.Bytes }),
    };

    private static void PrintDetails(RunDetails d, string folder, int children)
    {
        Console.WriteLine($"run {d.Run.Id}  {d.Run.Name}  {StatusText(d.Run.Status)}");
        if (d.Run.Message is not null) Console.WriteLine($"  message:   {d.Run.Message}");
        Console.WriteLine($"  started:   {d.Run.StartTime.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC   duration: {Duration(d.Run)}");
        Console.WriteLine($"  seed:      {d.Run.Seed}   host: {d.Host}   code: {d.CodeVersion}");
        Console.WriteLine($"  pipeline:  {d.PipelinePath} (sha256 {d.PipelineHash[..Math.Min(12, d.PipelineHash.Length)]})");
        Console.WriteLine($"  artifacts: {Path.GetRelativePath(Environment.CurrentDirectory, folder)}{(Path.IsPathFullyQualified(Path.GetRelativePath(Environment.CurrentDirectory, folder)) ? "" : $"   ({folder})")}");
        if (d.Run.ParentRunId is not null) Console.WriteLine($"  parent:    {d.Run.ParentRunId}");
        if (children > 0) Console.WriteLine($"  children:  {children} (diffusion runs list --parent {d.Run.Id})");
        Console.WriteLine();
        Console.WriteLine("metrics (last / min / max over steps):");
        foreach (var m in d.Metrics)
            Console.WriteLine($"  {m.Key,-32} {Num(m.Last),12} {Num(m.Min),12} {Num(m.Max),12}   ({m.Count} values, last step {m.LastStep})");
        Console.WriteLine();
        Console.WriteLine("params:");
        foreach (var p in d.Params) Console.WriteLine($"  {p.Key} = {Format(p.Value, exact: true)}");
        if (d.Tags.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine("tags:");
            foreach (var t in d.Tags) Console.WriteLine($"  {t.Key} = {t.Value}");
        }
        Console.WriteLine();
        Console.WriteLine("artifacts:");
        foreach (var a in d.Artifacts) Console.WriteLine($"  {a.Path,-48} {a.Kind,-12} {a.Bytes,10:N0} bytes");
        foreach (var a in d.Artifacts.Where(a => a.Kind == TextSamplesKind)) PrintTextSamples(Path.Combine(folder, a.Path), a.Path);
    }

    /// <summary>The artifact kind of generated text (written by the text modality: entries separated by lines holding only '%').</summary>
    private const string TextSamplesKind = "text-samples";

    private const int ShownTextSamples = 5;

    /// <summary>Prints the first generated texts of a text-samples artifact, one per line (line breaks inside an entry shown as " / ").</summary>
    private static void PrintTextSamples(string path, string name)
    {
        if (!File.Exists(path)) return;
        var entries = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n%\n")
            .Select(e => e.Trim('\n')).ToList();
        Console.WriteLine();
        Console.WriteLine($"{name} (first {Math.Min(ShownTextSamples, entries.Count)} of {entries.Count}):");
        foreach (var entry in entries.Take(ShownTextSamples)) Console.WriteLine($"  {entry.Replace("\n", " / ", StringComparison.Ordinal)}");
    }
}
