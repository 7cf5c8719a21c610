using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Diffusion.Cli.Tests;

/// <summary>
/// Killing <c>dotnet run</c> used to leave its <c>diffusion</c> child training on, orphaned (issue 25). Now the child
/// gets SIGTERM from the kernel when that parent dies and ends the run as KILLED, resumable.
/// </summary>
public class ParentDeathTests
{
    [Fact]
    public void KillingDotnetRunEndsTheRunAsKilled()
    {
        if (!OperatingSystem.IsLinux()) return; // prctl(PR_SET_PDEATHSIG) is Linux's
        using var work = new WorkDir();
        string file = work.File("long.yaml", RunCommandTests.Tiny);
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = work.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // --no-build: the suite has built the CLI, and a build here could rewrite files other tests are using.
        foreach (string arg in new[] { "run", "--no-build", "--project", Path.Combine(Cli.RepoRoot, "tools", "Diffusion.Cli"), "--",
                     "run", file, "--set", "stages.train.steps=1000000", "--set", "stages.train.checkpoint_every=0" })
            info.ArgumentList.Add(arg);
        info.Environment.Remove("DIFFUSION_DB");
        info.Environment.Remove("DIFFUSION_ARTIFACTS");
        using var dotnetRun = Process.Start(info)!;
        using var reaper = Cli.KillOnDispose(dotnetRun);
        _ = dotnetRun.StandardError.ReadToEndAsync();

        string? id = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (id is null && DateTime.UtcNow < deadline && dotnetRun.StandardOutput.ReadLine() is { } line)
            id = Regex.Match(line, @"^run ([0-9a-f]{6,}) started").Groups[1].Value is { Length: > 0 } found ? found : null;
        Assert.True(id is not null, "the run did not start under dotnet run");
        int child = Children(dotnetRun.Id).Single();
        Thread.Sleep(TimeSpan.FromSeconds(2)); // into the training loop

        dotnetRun.Kill(entireProcessTree: false); // SIGKILL to 'dotnet run' alone: it cannot forward anything

        var gone = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (Directory.Exists($"/proc/{child}") && !IsZombie(child) && DateTime.UtcNow < gone) Thread.Sleep(200);
        bool orphanLeft = Directory.Exists($"/proc/{child}") && !IsZombie(child);
        if (orphanLeft) Process.GetProcessById(child).Kill();
        Assert.False(orphanLeft, "the diffusion child outlived 'dotnet run' by a minute");

        var show = Cli.Run(work.Path, "runs", "show", id!, "--json");
        Assert.True(show.ExitCode == 0, show.Stderr);
        Assert.Equal("KILLED", JsonDocument.Parse(show.Stdout).RootElement.GetProperty("status").GetString());
    }

    private static List<int> Children(int pid) =>
        Directory.EnumerateDirectories($"/proc/{pid}/task")
            .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(int.Parse).ToList();

    private static bool IsZombie(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return false;
        }
    }
}
