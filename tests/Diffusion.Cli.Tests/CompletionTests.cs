namespace Diffusion.Cli.Tests;

/// <summary>
/// Shell completion comes from System.CommandLine's [suggest] directive (what dotnet-suggest's shell shims call):
/// it completes sub-commands and options from the command tree itself.
/// </summary>
public sealed class CompletionTests : IDisposable
{
    private readonly WorkDir _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public void The_suggest_directive_completes_commands_and_options()
    {
        var runs = Cli.Run(_work.Path, "[suggest:7]", "runs pl");
        var options = Cli.Run(_work.Path, "[suggest:16]", "runs plot abc --");

        Assert.True(runs.ExitCode == 0, runs.Stderr);
        Assert.Equal(["plot"], runs.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var offered = options.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Superset(new HashSet<string> { "--metric", "--out", "--smooth", "--log-y", "--db" }, offered.ToHashSet());
    }
}
