using System.Diagnostics;

namespace Diffusion.Cli.Tests;

/// <summary>
/// On a terminal (a pseudo-terminal from util-linux's <c>script</c>) tables are drawn by Spectre.Console with borders
/// and colour, NO_COLOR turns the colour off, and redirected output stays the plain columns scripts read.
/// </summary>
public sealed class TerminalOutputTests : IDisposable
{
    private readonly RunsDatabase _db = new();
    private readonly string _a, _b;

    public TerminalOutputTests()
    {
        _a = _db.Add("alpha", [("lr", 0.1)], [("train/loss", [1.0, 0.5])]);
        _b = _db.Add("beta", [("lr", 0.01)], [("train/loss", [0.9, 0.7])]);
    }

    public void Dispose() => _db.Dispose();

    [Fact]
    public void Tables_have_borders_and_colour_on_a_terminal_and_no_colour_with_NO_COLOR()
    {
        var list = OnTerminal(null, "runs", "list");
        var compare = OnTerminal(null, "runs", "compare", _a, _b);
        var plugins = OnTerminal("1", "plugins");
        var plain = OnTerminal("1", "runs", "list");

        foreach (var text in new[] { list, compare, plugins, plain })
            Assert.Contains("╭", text); // Spectre's rounded border
        Assert.Contains("alpha", list);
        Assert.Contains(_b, compare);
        Assert.Contains("samplers", plugins);
        Assert.Matches(@"\u001b\[[0-9;]*m", list); // SGR colour/bold sequences
        Assert.DoesNotMatch(@"\u001b\[[0-9;]*(3[0-8]|9[0-7])(;[0-9]+)*m", plain); // no foreground colour under NO_COLOR

        var redirected = _db.Run("runs", "list");
        Assert.True(redirected.ExitCode == 0, redirected.Stderr);
        Assert.DoesNotContain("╭", redirected.Stdout);
        Assert.DoesNotContain("\u001b", redirected.Stdout, StringComparison.Ordinal);
    }

    /// <summary>Runs the CLI with its standard output on a pseudo-terminal (stdin and stderr too) and returns what it printed.</summary>
    private string OnTerminal(string? noColor, params string[] args)
    {
        if (!File.Exists("/usr/bin/script"))
            Assert.Fail("util-linux's `script` is needed to give the CLI a terminal (apt-get install bsdutils)");
        string command = string.Join(' ', new[] { "dotnet", Cli.Dll }.Concat(args).Concat(["--db", _db.Path]).Select(Quote));
        var start = new ProcessStartInfo("/usr/bin/script", ["-qec", command, "/dev/null"])
        {
            WorkingDirectory = _db.Work.Path, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
        };
        start.Environment["TERM"] = "xterm-256color";
        start.Environment.Remove("NO_COLOR");
        if (noColor is not null) start.Environment["NO_COLOR"] = noColor;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(120_000), "the CLI did not finish within 2 minutes");
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {stdout.Result}{stderr.Result}");
        return stdout.Result;
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";
}
