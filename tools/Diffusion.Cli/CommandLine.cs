using System.CommandLine;
using Diffusion.Cli.Commands;

namespace Diffusion.Cli;

/// <summary>The <c>diffusion</c> command tree.</summary>
internal static class CommandLine
{
    /// <summary>Exit code for a user's mistake (bad pipeline, bad arguments, unknown run).</summary>
    public const int InvalidInput = 2;

    /// <summary>The tracking database: <c>--db</c>, else <c>DIFFUSION_DB</c>, else <c>runs/tracking.db</c> under the working directory.</summary>
    public static readonly Option<string?> Database = new("--db")
    {
        Description = "Tracking database (default: $DIFFUSION_DB, else runs/tracking.db in the working directory).",
        Recursive = true,
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("Diffusion.Framework: run diffusion-model pipelines from YAML, track and query runs.");
        root.Options.Add(Database);
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(PluginsCommand.Create());
        root.Subcommands.Add(RunsCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(SweepCommand.Create());
        root.Subcommands.Add(SweepCommand.CreateWorker());
        root.Subcommands.Add(DoctorCommand.Create());
        return root;
    }

    public static string DatabasePath(ParseResult result) =>
        Path.GetFullPath(result.GetValue(Database)
                         ?? Environment.GetEnvironmentVariable("DIFFUSION_DB")
                         ?? Path.Combine("runs", "tracking.db"));

    public static int ReportParseErrors(ParseResult parsed)
    {
        foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {error.Message}");
        Console.Error.WriteLine("Run 'diffusion --help' (or 'diffusion COMMAND --help') to see the usage.");
        return InvalidInput;
    }
}
