using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Diffusion.Tracking;

namespace Diffusion.Cli.Commands;

/// <summary><c>diffusion runs list|show</c>: look at recorded runs.</summary>
internal static class RunsCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var command = new Command("runs", "Look at recorded runs.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        return command;
    }

    private static Command List()
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array." };
        var limit = new Option<int>("--limit") { Description = "At most this many runs, newest first.", DefaultValueFactory = _ => 50 };
        var command = new Command("list", "List runs, newest first.") { json, limit };
        command.SetAction(result =>
        {
            string db = CommandLine.DatabasePath(result);
            if (!File.Exists(db))
            {
                Console.Error.WriteLine($"no runs yet: {db} does not exist (run a pipeline first, or pass --db PATH)");
                return result.GetValue(json) ? PrintEmptyJson() : 0;
            }
            using var store = TrackingStore.Open(db);
            var runs = store.ListRuns(result.GetValue(limit));
            if (result.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(runs.Select(ToJson), Indented));
                return 0;
            }
            Console.WriteLine($"{"ID",-12} {"NAME",-20} {"STATUS",-10} {"STARTED (UTC)",-20} {"DURATION",9}  MESSAGE");
            foreach (var run in runs)
                Console.WriteLine($"{run.Id,-12} {Trim(run.Name, 20),-20} {StatusText(run.Status),-10} {run.StartTime.UtcDateTime:yyyy-MM-dd HH:mm:ss}  {Duration(run),9}  {run.Message}");
            return 0;
        });
        return command;
    }

    private static int PrintEmptyJson()
    {
        Console.WriteLine("[]");
        return 0;
    }

    private static Command Show()
    {
        var id = new Argument<string>("run-id") { Description = "The run id (a unique prefix is enough)." };
        var json = new Option<bool>("--json") { Description = "Print a JSON object." };
        var command = new Command("show", "Show a run: status, params, metrics, artifacts.") { id, json };
        command.SetAction(result =>
        {
            string db = CommandLine.DatabasePath(result);
            if (!File.Exists(db))
            {
                Console.Error.WriteLine($"error: {db} does not exist: no runs recorded there (pass --db PATH)");
                return CommandLine.InvalidInput;
            }
            using var store = TrackingStore.Open(db);
            RunDetails? details;
            try
            {
                details = store.FindRun(result.GetValue(id)!);
            }
            catch (AmbiguousRunIdException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return CommandLine.InvalidInput;
            }
            if (details is null)
            {
                Console.Error.WriteLine($"error: no run '{result.GetValue(id)}' in {db}; 'diffusion runs list' shows the ids");
                return CommandLine.InvalidInput;
            }
            string folder = Path.Combine(Path.GetDirectoryName(db)!, details.Run.Id);
            if (result.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(ToJson(details, folder), Indented));
            else PrintDetails(details, folder);
            return 0;
        });
        return command;
    }

    private static object ToJson(RunSummary run) => new
    {
        id = run.Id,
        name = run.Name,
        experiment = run.Experiment,
        status = StatusText(run.Status),
        start_time = run.StartTime,
        end_time = run.EndTime,
        duration_seconds = run.EndTime is { } end ? (end - run.StartTime).TotalSeconds : (double?)null,
        seed = run.Seed,
        message = run.Message,
        parent_run_id = run.ParentRunId,
    };

    private static object ToJson(RunDetails d, string folder) => new
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
        pipeline_path = d.PipelinePath,
        pipeline_hash = d.PipelineHash,
        code_version = d.CodeVersion,
        host = d.Host,
        artifact_folder = folder,
        @params = d.Params.ToDictionary(p => p.Key, p => p.Value),
        metrics = d.Metrics.ToDictionary(m => m.Key, m => new { last = m.Last, step = m.LastStep, min = m.Min, max = m.Max, count = m.Count }),
        tags = d.Tags.ToDictionary(t => t.Key, t => t.Value),
        artifacts = d.Artifacts.Select(a => new { path = a.Path, kind = a.Kind, sha256 = a.Sha256, bytes = a.Bytes }),
    };

    private static void PrintDetails(RunDetails d, string folder)
    {
        Console.WriteLine($"run {d.Run.Id}  {d.Run.Name}  {StatusText(d.Run.Status)}");
        if (d.Run.Message is not null) Console.WriteLine($"  message:   {d.Run.Message}");
        Console.WriteLine($"  started:   {d.Run.StartTime.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC   duration: {Duration(d.Run)}");
        Console.WriteLine($"  seed:      {d.Run.Seed}   host: {d.Host}   code: {d.CodeVersion}");
        Console.WriteLine($"  pipeline:  {d.PipelinePath} (sha256 {d.PipelineHash[..Math.Min(12, d.PipelineHash.Length)]})");
        Console.WriteLine($"  artifacts: {Path.GetRelativePath(Environment.CurrentDirectory, folder)}");
        Console.WriteLine();
        Console.WriteLine("metrics (last / min / max over steps):");
        foreach (var m in d.Metrics)
            Console.WriteLine($"  {m.Key,-32} {Num(m.Last),12} {Num(m.Min),12} {Num(m.Max),12}   ({m.Count} values, last step {m.LastStep})");
        Console.WriteLine();
        Console.WriteLine("params:");
        foreach (var p in d.Params) Console.WriteLine($"  {p.Key} = {Convert.ToString(p.Value, CultureInfo.InvariantCulture)}");
        if (d.Tags.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine("tags:");
            foreach (var t in d.Tags) Console.WriteLine($"  {t.Key} = {t.Value}");
        }
        Console.WriteLine();
        Console.WriteLine("artifacts:");
        foreach (var a in d.Artifacts) Console.WriteLine($"  {a.Path,-48} {a.Kind,-12} {a.Bytes,10:N0} bytes");
    }

    private static string StatusText(RunStatus status) => status.ToString().ToUpperInvariant();

    private static string Num(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);

    private static string Trim(string s, int width) => s.Length <= width ? s : s[..(width - 1)] + "…";

    private static string Duration(RunSummary run)
    {
        if (run.EndTime is not { } end) return "-";
        var t = end - run.StartTime;
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:D2}m" : t.TotalMinutes >= 1 ? $"{t.Minutes}m{t.Seconds:D2}s" : $"{t.TotalSeconds:0.0}s";
    }
}
