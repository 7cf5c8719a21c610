using System.Diagnostics;

namespace Diffusion.Cli.Tests;

/// <summary>
/// The <c>dotnet new diffusion-plugin</c> template (tools/templates/diffusion-plugin): install it, scaffold a plugin,
/// build and test it, and load it in the host. One test, about half a minute; the template goes into a private
/// template hive, so the machine's own templates are not touched.
/// </summary>
public class PluginTemplateTests
{
    [Fact]
    public void TheTemplateScaffoldsAPluginThatBuildsPassesItsTestAndLoadsInTheHost()
    {
        using var work = new WorkDir();
        string hive = Path.Combine(work.Path, "hive");
        string project = Path.Combine(work.Path, "Sharpen");
        // The built contracts beside the CLI (compiling against the .csproj would build it again, maybe concurrently).
        string abstractions = Path.Combine(Path.GetDirectoryName(Cli.Dll)!, "Diffusion.Abstractions.dll");

        Dotnet(work.Path, "new", "install", Path.Combine(Cli.RepoRoot, "tools", "templates", "diffusion-plugin"), "--debug:custom-hive", hive);
        Dotnet(work.Path, "new", "diffusion-plugin", "-n", "Sharpen", "-o", project, "--abstractions", abstractions, "--debug:custom-hive", hive);
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        string test = Dotnet(project, "test", "-c", configuration, "-nologo");
        string output = Path.Combine(project, "Sharpen", "bin", configuration, "net10.0");
        var list = Cli.Run(work.Path, new Dictionary<string, string> { ["DIFFUSION_PLUGIN_PATH"] = output }, "plugins", "--verbose");

        Assert.Contains("Passed!", test);
        Assert.True(list.ExitCode == 0, list.Stderr);
        Assert.Contains("sharpen", list.Stdout);
        Assert.Contains("from " + Path.Combine(output, "Sharpen.dll"), list.Stdout);
        Assert.Equal("", list.Stderr.Trim());
    }

    private static string Dotnet(string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args) info.ArgumentList.Add(arg);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} took more than 5 minutes");
        }
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)} failed:\n{stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }
}
