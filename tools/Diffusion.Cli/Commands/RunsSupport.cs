using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Diffusion.Tracking;

namespace Diffusion.Cli.Commands;

/// <summary>What the runs commands share: opening the database, finding runs by prefix, printing values, tables and CSV.</summary>
internal static class RunsSupport
{
    public static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        // NaN and infinities are legal metric values; JSON has no literal for them, so they go as "NaN".
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The store of an existing database, or null after saying there is none.</summary>
    public static ITrackingStore? OpenExisting(ParseResult result)
    {
        if (CommandLine.Tracking(result) is not { } tracking) return null;
        if (tracking.Exists) return tracking.Open();
        Console.Error.WriteLine($"error: {tracking.Location} does not exist: no runs recorded there (run a pipeline first, or pass --db PATH)");
        return null;
    }

    /// <summary>The run of an id or unique prefix, or null after saying why not.</summary>
    public static RunDetails? Find(ITrackingStore store, string idOrPrefix)
    {
        try
        {
            var details = store.FindRun(idOrPrefix);
            if (details is null) Console.Error.WriteLine($"error: no run '{idOrPrefix}' in {store.Location}; 'diffusion runs list' shows the ids");
            return details;
        }
        catch (AmbiguousRunIdException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return null;
        }
    }

    /// <summary>Prints a filter error with a caret under the bad token; returns the exit code for it.</summary>
    public static int FilterError(FilterSyntaxException e)
    {
        Console.Error.WriteLine($"error: --{e.Clause ?? "filter"}: {e.Render("  ")}");
        return CommandLine.InvalidInput;
    }

    public static string StatusText(RunStatus status) => status.ToString().ToUpperInvariant();

    /// <summary>A value for a table or CSV: numbers in invariant culture (up to 6 decimals in tables), times as UTC.</summary>
    public static string Format(object? value, bool exact = false) => value switch
    {
        null => "",
        double d when double.IsNaN(d) => "NaN",
        double d => exact ? d.ToString("R", CultureInfo.InvariantCulture) : Num(d),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    public static string Num(double v) =>
        double.IsNaN(v) ? "NaN"
        : v != 0 && (Math.Abs(v) < 1e-4 || Math.Abs(v) >= 1e7) ? v.ToString("0.####e+0", CultureInfo.InvariantCulture)
        : v.ToString("0.######", CultureInfo.InvariantCulture);

    public static string Duration(RunSummary run)
    {
        if (run.EndTime is not { } end) return "-";
        var t = end - run.StartTime;
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:D2}m" : t.TotalMinutes >= 1 ? $"{t.Minutes}m{t.Seconds:D2}s" : $"{t.TotalSeconds:0.0}s";
    }

    public static double? DurationSeconds(RunSummary run) => run.EndTime is { } end ? (end - run.StartTime).TotalSeconds : null;

    public static string Trim(string s, int width) => s.Length <= width ? s : s[..(width - 1)] + "…";

    /// <summary>
    /// Prints rows as a table: on a terminal with Spectre.Console (borders, bold header), otherwise (and to
    /// <paramref name="output"/>) as columns padded to their widest cell (the last column is not padded).
    /// </summary>
    public static void PrintTable(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, TextWriter? output = null)
    {
        if (output is null && Terminal.IsInteractive)
        {
            var table = Terminal.Table(header);
            foreach (var row in rows) Spectre.Console.TableExtensions.AddRow(table, row.Select(cell => (Spectre.Console.Rendering.IRenderable)new Spectre.Console.Text(cell)));
            Terminal.Out.Write(table);
            return;
        }
        output ??= Console.Out;
        var all = rows.Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Count).Select(i => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
            output.WriteLine(string.Join("  ", row.Select((cell, i) => i == row.Count - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
    }

    /// <summary>One CSV record (RFC 4180: fields with commas, quotes or line breaks are quoted, quotes doubled).</summary>
    public static string CsvLine(IEnumerable<string> fields) =>
        string.Join(',', fields.Select(f => f.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{f.Replace("\"", "\"\"")}\"" : f));

    /// <summary>Writes to <paramref name="path"/>, or to standard output when it is null or '-'.</summary>
    public static void WriteOutput(string? path, Action<TextWriter> write)
    {
        if (path is null or "-")
        {
            write(Console.Out);
            return;
        }
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        using var writer = new StreamWriter(full, false, new UTF8Encoding(false));
        write(writer);
    }

    /// <summary>A run's summary as a JSON object (the fields of runs list --json).</summary>
    public static Dictionary<string, object?> Json(RunSummary run) => new()
    {
        ["id"] = run.Id,
        ["name"] = run.Name,
        ["experiment"] = run.Experiment,
        ["status"] = StatusText(run.Status),
        ["start_time"] = run.StartTime,
        ["end_time"] = run.EndTime,
        ["duration_seconds"] = DurationSeconds(run),
        ["seed"] = run.Seed,
        ["message"] = run.Message,
        ["parent_run_id"] = run.ParentRunId,
    };

    /// <summary>The summary columns of CSV output, in order.</summary>
    public static readonly string[] CsvSummaryHeader =
        ["id", "name", "experiment", "status", "start_time", "end_time", "duration_seconds", "seed", "parent_run_id", "message"];

    public static IEnumerable<string> CsvSummary(RunSummary run) =>
    [
        run.Id, run.Name, run.Experiment, StatusText(run.Status),
        run.StartTime.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        run.EndTime?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) ?? "",
        Format(DurationSeconds(run), exact: true), run.Seed.ToString(CultureInfo.InvariantCulture), run.ParentRunId ?? "", run.Message ?? "",
    ];
}
