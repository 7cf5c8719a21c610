using System.Diagnostics;

namespace Diffusion.Cli.Tests;

/// <summary>
/// <c>dotnet pack</c> makes the CLI a .NET tool package that installs into a tool path and runs on its own: the
/// plugins, the example pipelines and the patched libtorch travel inside it. Packs the already built CLI (no
/// rebuild); about 1 GB is compressed, so this is the slowest CLI test (minutes on 2 cores).
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly WorkDir _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public void The_packed_tool_installs_into_a_tool_path_and_runs_plugins_and_a_pipeline()
    {
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        string feed = Path.Combine(_work.Path, "feed"), tools = Path.Combine(_work.Path, "tools");

        Dotnet(Cli.RepoRoot, "pack", Path.Combine("tools", "Diffusion.Cli"), "-c", configuration, "--no-build", "-o", feed);
        string package = Assert.Single(Directory.GetFiles(feed, "Diffusion.Cli.*.nupkg"));
        Dotnet(_work.Path, "tool", "install", "Diffusion.Cli", "--tool-path", tools, "--add-source", feed);
        string diffusion = Path.Combine(tools, "diffusion");
        Assert.True(File.Exists(diffusion), $"{package} installed no 'diffusion' command into {tools}");

        var plugins = Run(diffusion, _work.Path, "plugins");
        Assert.Contains("ddpm", plugins);
        Assert.Contains("unet2d", plugins);

        // The bundled example pipelines are inside the tool; a tiny pipeline of our own runs from the temp folder.
        Assert.Single(Directory.GetFiles(tools, "quickstart.yaml", SearchOption.AllDirectories));
        string pipeline = _work.File("tiny.yaml", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Shared", "tiny.yaml")));
        var run = Run(diffusion, _work.Path, "run", pipeline);
        Assert.Contains("COMPLETED", run);
        Assert.True(File.Exists(Path.Combine(_work.Path, "runs", "tracking.db")));
        Assert.Single(Directory.GetFiles(Path.Combine(_work.Path, "runs"), "sample.png", SearchOption.AllDirectories));
    }

    private static void Dotnet(string directory, params string[] args) => Run("dotnet", directory, args);

    private static string Run(string program, string directory, params string[] args)
    {
        var start = new ProcessStartInfo(program, args)
        {
            WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment.Remove("DIFFUSION_DB");
        start.Environment.Remove("DIFFUSION_ARTIFACTS");
        start.Environment.Remove("DIFFUSION_PLUGIN_PATH");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not finish in 10 minutes");
        }
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} exited {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        return stdout.Result + stderr.Result;
    }
}
