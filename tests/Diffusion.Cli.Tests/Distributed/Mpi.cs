using System.Diagnostics;
using System.Text;

namespace Diffusion.Cli.Tests.Distributed;

/// <summary>MPICH's launcher for the data-parallel tests, and runs of the built CLI under it.</summary>
internal static class Mpi
{
    /// <summary>mpiexec on PATH, or null.</summary>
    public static string? Launcher { get; } = (System.Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(folder => Path.Combine(folder, "mpiexec"))
        .FirstOrDefault(File.Exists);

    /// <summary>Why the MPI tests are skipped here (no mpiexec and not CI), or null when they run.</summary>
    public static string? SkipReason =>
        Launcher is not null || string.Equals(System.Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? null
            : "no mpiexec on PATH: install MPICH (sudo apt-get install mpich) to run the data-parallel tests";

    /// <summary>mpiexec, or a failed test that says how to get it (in CI, where these tests never skip).</summary>
    public static string RequireLauncher() =>
        Launcher ?? throw new Xunit.Sdk.XunitException("mpiexec is not on PATH, and CI must run the data-parallel tests: .ci/run installs Debian's 'mpich'");

    /// <summary>One libtorch thread per rank, and no stray tracking settings.</summary>
    public static Dictionary<string, string> Environment(string work, IDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["OMP_NUM_THREADS"] = "1",
            ["DIFFUSION_DB"] = Path.Combine(work, "runs", "tracking.db"),
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>()) environment[key] = value;
        return environment;
    }

    /// <summary>Runs <c>mpiexec ARGS</c> (each rank a <c>dotnet diffusion.dll ...</c> given in the args) in <paramref name="work"/>.</summary>
    public static Cli.Result Exec(string work, IDictionary<string, string> environment, IEnumerable<string> args, TimeSpan? limit = null)
    {
        var info = new ProcessStartInfo(RequireLauncher())
        {
            WorkingDirectory = work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string arg in args) info.ArgumentList.Add(arg);
        info.Environment.Remove("DIFFUSION_ARTIFACTS");
        info.Environment.Remove("DIFFUSION_PLUGIN_PATH");
        foreach (var (key, value) in environment) info.Environment[key] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit ?? TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"mpiexec {string.Join(' ', args)} did not finish in time");
        }
        return new Cli.Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The arguments that start one rank of the built CLI: <c>dotnet diffusion.dll ARGS</c>.</summary>
    public static IEnumerable<string> Rank(params string[] args) => new[] { "dotnet", Cli.Dll }.Concat(args);
}

/// <summary>A test that needs mpiexec: skipped with the reason where there is none, except in CI (CI=true), where it fails.</summary>
public sealed class MpiFactAttribute : FactAttribute
{
    public MpiFactAttribute()
    {
        if (Mpi.SkipReason is { } reason) Skip = reason;
    }
}

/// <summary>A theory that needs mpiexec (see <see cref="MpiFactAttribute"/>).</summary>
public sealed class MpiTheoryAttribute : TheoryAttribute
{
    public MpiTheoryAttribute()
    {
        if (Mpi.SkipReason is { } reason) Skip = reason;
    }
}
