using System.CommandLine;
using System.CommandLine.Parsing;
using Diffusion.Cli.Commands;
using Diffusion.Tracking;

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

    /// <summary>The folder that holds run folders: <c>--artifacts</c>, else <c>DIFFUSION_ARTIFACTS</c>, else the folder that holds the database.</summary>
    public static readonly Option<string?> Artifacts = new("--artifacts")
    {
        Description = "Folder for run folders, DIR/RUN_ID/ (default: $DIFFUSION_ARTIFACTS, else the folder that holds the database).",
        Recursive = true,
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("Diffusion.Framework: run diffusion-model pipelines from YAML, track and query runs.");
        root.Options.Add(Database);
        root.Options.Add(Artifacts);
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(PluginsCommand.Create());
        root.Subcommands.Add(RunsCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(SweepCommand.Create());
        root.Subcommands.Add(SweepCommand.CreateWorker());
        root.Subcommands.Add(DoctorCommand.Create());
        root.Subcommands.Add(UiCommand.Create());
        return root;
    }

    /// <summary>The tracking backend that <c>--db</c> names, or null after saying why this build has none for it.</summary>
    public static ITrackingBackend? Tracking(ParseResult result)
    {
        try
        {
            return TrackingStores.For(TrackingLocation(result));
        }
        catch (TrackingStoreException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return null;
        }
    }

    /// <summary>The folder that holds run folders; call it once <see cref="Tracking"/> has accepted the location.</summary>
    public static string ArtifactRoot(ParseResult result) =>
        ExplicitArtifactRoot(result) ?? Path.GetFullPath(TrackingStores.For(TrackingLocation(result)).DefaultArtifactRoot);

    /// <summary>
    /// The folder that holds a recorded run's folder: <c>--artifacts</c> or <c>DIFFUSION_ARTIFACTS</c> when given, else
    /// where the run recorded it (on another machine of a team, a shared path), else the default.
    /// </summary>
    public static string ArtifactRootOf(ParseResult result, string? recorded) =>
        ExplicitArtifactRoot(result) ?? recorded ?? ArtifactRoot(result);

    private static string? ExplicitArtifactRoot(ParseResult result) =>
        (result.GetValue(Artifacts) ?? Environment.GetEnvironmentVariable("DIFFUSION_ARTIFACTS")) is { } root ? Path.GetFullPath(root) : null;

    private static string TrackingLocation(ParseResult result) =>
        result.GetValue(Database) ?? Environment.GetEnvironmentVariable("DIFFUSION_DB") ?? TrackingStores.DefaultLocation;

    /// <summary>False (after printing the error) when DIFFUSION_KERNELS holds a value that is not a kernel mode: a user's mistake, exit 2.</summary>
    public static bool KernelModeIsValid()
    {
        if (Kernels.KernelGuard.ModeError(Environment.GetEnvironmentVariable(Kernels.KernelGuard.ModeVariable)) is not { } error) return true;
        Console.Error.WriteLine($"error: {error}");
        return false;
    }

    /// <summary>
    /// Refuses an empty or blank id (<c>runs show ""</c>) at parse time, so it is one usage error with exit 2
    /// rather than a lookup that cannot succeed.
    /// </summary>
    public static T Ids<T>(T symbol) where T : Symbol
    {
        switch (symbol)
        {
            case Argument<string> one:
                one.Validators.Add(r => CheckId(r, r.GetValueOrDefault<string>(), symbol.Name));
                break;
            case Argument<string[]> many:
                many.Validators.Add(r =>
                {
                    foreach (var value in r.GetValueOrDefault<string[]>() ?? []) CheckId(r, value, symbol.Name);
                });
                break;
            case Option<string?> option:
                option.Validators.Add(r => CheckId(r, r.GetValueOrDefault<string?>(), symbol.Name));
                break;
            default:
                throw new ArgumentException($"no id check for {symbol.GetType().Name}", nameof(symbol));
        }
        return symbol;
    }

    private static void CheckId(SymbolResult result, string? value, string name)
    {
        if (value is not null && string.IsNullOrWhiteSpace(value))
            result.AddError($"{name.TrimStart('-')}: an id cannot be empty (diffusion runs list shows the ids)");
    }

    public static int ReportParseErrors(ParseResult parsed)
    {
        foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {error.Message}");
        Console.Error.WriteLine("Run 'diffusion --help' (or 'diffusion COMMAND --help') to see the usage.");
        return InvalidInput;
    }
}
