using Spectre.Console;

namespace Diffusion.Cli;

/// <summary>
/// Standard output as Spectre.Console sees it: tables with borders and colour on a terminal, while redirected output
/// (pipes, files, tests, CI) keeps the plain aligned columns scripts read. <c>NO_COLOR</c> turns colours off.
/// </summary>
internal static class Terminal
{
    private static readonly Lazy<IAnsiConsole> Console = new(() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(System.Console.Out),
        ColorSystem = Core.Runs.ConsoleProgress.NoColor ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
    }));

    /// <summary>True when standard output is a terminal a person reads (not redirected, TERM is not "dumb").</summary>
    public static bool IsInteractive => !System.Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") != "dumb";

    /// <summary>The console for standard output.</summary>
    public static IAnsiConsole Out => Console.Value;

    /// <summary>A table with the project's look: rounded border, bold header.</summary>
    public static Table Table(IEnumerable<string> header)
    {
        var table = new Table().Border(TableBorder.Rounded).BorderColor(Color.Grey);
        foreach (var column in header) table.AddColumn(new TableColumn(new Markup($"[bold]{Markup.Escape(column)}[/]")));
        return table;
    }
}
