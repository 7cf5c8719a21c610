using System.Diagnostics;

namespace Diffusion.Cli.Tests;

/// <summary>Runs <c>dotnet</c> or <c>bash</c> for the template tests, with a time limit; fails the test on a non-zero exit.</summary>
internal static class TemplateProcess
{
    public static string Dotnet(string workingDirectory, params string[] args) => Run("dotnet", workingDirectory, null, args);

    /// <summary>Runs <paramref name="script"/> with <c>bash -e</c>; returns stdout and stderr together.</summary>
    public static string Bash(string workingDirectory, IDictionary<string, string?> environment, string script) =>
        Run("bash", workingDirectory, environment, "-e", "-c", script);

    /// <summary>Runs a command whose failure is the point: its exit code and its output (stdout and stderr together).</summary>
    public static (int ExitCode, string Output) Try(string file, string workingDirectory, params string[] args)
    {
        using var process = Start(file, workingDirectory, null, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Wait(process, file, args);
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static string Run(string file, string workingDirectory, IDictionary<string, string?>? environment, params string[] args)
    {
        using var process = Start(file, workingDirectory, environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Wait(process, file, args);
        string output = stdout.Result + stderr.Result;
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} failed ({process.ExitCode}):\n{output}");
        return output;
    }

    private static Process Start(string file, string workingDirectory, IDictionary<string, string?>? environment, string[] args)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args) info.ArgumentList.Add(arg);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment.Remove("DIFFUSION_DB");
        info.Environment.Remove("DIFFUSION_ARTIFACTS");
        info.Environment.Remove("DIFFUSION_PLUGIN_PATH");
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) info.Environment.Remove(key);
            else info.Environment[key] = value;
        }
        return Process.Start(info)!;
    }

    private static void Wait(Process process, string file, string[] args)
    {
        if (process.WaitForExit(TimeSpan.FromMinutes(5))) return;
        process.Kill(entireProcessTree: true);
        throw new TimeoutException($"{file} {string.Join(' ', args)} took more than 5 minutes");
    }
}
