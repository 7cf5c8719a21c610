using System.Diagnostics;
using System.Text;

namespace Diffusion.Cli.Tests;

/// <summary>Runs the built <c>diffusion</c> command (tools/Diffusion.Cli's own output, with its plugins folder) as a process.</summary>
internal static class Cli
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The CLI build output of the same configuration as this test assembly.</summary>
    public static string Dll { get; } = Path.Combine(RepoRoot, "tools", "Diffusion.Cli", "bin",
        new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "diffusion.dll");

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(string workingDirectory, params string[] args) => Run(workingDirectory, null, args);

    public static Result Run(string workingDirectory, IDictionary<string, string>? environment, params string[] args)
    {
        using var process = Start(workingDirectory, environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"diffusion {string.Join(' ', args)} did not finish in 10 minutes");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Kills <paramref name="process"/> (and its children) when disposed, so a failed assertion leaves no run behind.</summary>
    public static IDisposable KillOnDispose(Process process) => new Reaper(process);

    private sealed class Reaper(Process process) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // never started or already gone
            }
        }
    }

    public static Process Start(string workingDirectory, IDictionary<string, string>? environment, params string[] args)
    {
        Assert.True(File.Exists(Dll), $"build the CLI first: {Dll} is missing");
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(Dll);
        foreach (string arg in args) info.ArgumentList.Add(arg);
        info.Environment.Remove("DIFFUSION_DB");
        info.Environment.Remove("DIFFUSION_ARTIFACTS");
        info.Environment.Remove("DIFFUSION_PLUGIN_PATH");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        return Process.Start(info)!;
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Diffusion.Framework.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root above " + AppContext.BaseDirectory);
    }
}

/// <summary>A fresh temporary working directory, deleted when disposed.</summary>
internal sealed class WorkDir : IDisposable
{
    public WorkDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "diffusion-cli-" + Guid.NewGuid().ToString("N")[..10]);

    public string File(string name, string text)
    {
        string path = System.IO.Path.Combine(Path, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
