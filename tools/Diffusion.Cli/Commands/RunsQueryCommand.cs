using System.CommandLine;
using System.Text.Json;
using Diffusion.Tracking;
using static Diffusion.Cli.Commands.RunsSupport;

namespace Diffusion.Cli.Commands;

/// <summary>
/// <c>diffusion runs query "SQL" [--json|--csv]</c>: free SQL over the tracking database, read-only: a statement
/// that would write is refused before anything runs (exit 2) and the database is unchanged.
/// </summary>
internal static class RunsQueryCommand
{
    public static Command Create()
    {
        var sql = new Argument<string>("sql") { Description = "SQL to run, e.g. \"SELECT key, count(*) FROM metrics GROUP BY key\" (tables: docs/tracking.md)." };
        var json = new Option<bool>("--json") { Description = "Print each result as a JSON array of objects." };
        var csv = new Option<bool>("--csv") { Description = "Print each result as CSV with a header line." };
        var maxRows = new Option<int>("--max-rows") { Description = "At most N rows per statement (default 10000).", DefaultValueFactory = _ => 10_000 };
        var command = new Command("query", "Run read-only SQL over the tracking database.") { sql, json, csv, maxRows };
        command.SetAction(result =>
        {
            if (result.GetValue(json) && result.GetValue(csv))
            {
                Console.Error.WriteLine("error: choose one of --json and --csv");
                return CommandLine.InvalidInput;
            }
            if (result.GetValue(maxRows) < 1)
            {
                Console.Error.WriteLine("error: --max-rows must be at least 1");
                return CommandLine.InvalidInput;
            }
            if (string.IsNullOrWhiteSpace(result.GetValue(sql)))
            {
                Console.Error.WriteLine("error: the query is empty; write a SELECT, e.g. \"SELECT id, name, status FROM runs\"");
                return CommandLine.InvalidInput;
            }
            if (CommandLine.Tracking(result) is not { } tracking) return CommandLine.InvalidInput;
            IReadOnlyList<SqlResult> results;
            try
            {
                results = tracking.Query(result.GetValue(sql)!, result.GetValue(maxRows));
            }
            catch (FileNotFoundException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return CommandLine.InvalidInput;
            }
            catch (SqlQueryException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return CommandLine.InvalidInput;
            }

            foreach (var (table, i) in results.Select((t, i) => (t, i)))
            {
                if (i > 0 && !result.GetValue(json)) Console.WriteLine();
                if (result.GetValue(json)) PrintJson(table);
                else if (result.GetValue(csv)) PrintCsv(table);
                else PrintText(table);
                if (table.Truncated) Console.Error.WriteLine($"(only the first {table.Rows.Count} rows; raise --max-rows for more)");
            }
            return 0;
        });
        return command;
    }

    private static void PrintText(SqlResult table)
    {
        PrintTable(table.Columns, table.Rows.Select(r => (IReadOnlyList<string>)r.Select(Cell).ToList()));
        Console.WriteLine($"({table.Rows.Count} row{(table.Rows.Count == 1 ? "" : "s")})");
    }

    private static void PrintCsv(SqlResult table)
    {
        Console.WriteLine(CsvLine(table.Columns));
        foreach (var row in table.Rows) Console.WriteLine(CsvLine(row.Select(v => v is null ? "" : Cell(v))));
    }

    private static void PrintJson(SqlResult table)
    {
        var rows = table.Rows.Select(r => table.Columns.Select((c, i) => (c, v: r[i] is byte[] b ? Convert.ToBase64String(b) : r[i]))
            .DistinctBy(p => p.c).ToDictionary(p => p.c, p => p.v));
        Console.WriteLine(JsonSerializer.Serialize(rows, Indented));
    }

    private static string Cell(object? value) => value switch
    {
        null => "NULL",
        double d => Format(d, exact: true),
        byte[] bytes => $"<{bytes.Length} bytes>",
        _ => Format(value),
    };
}
