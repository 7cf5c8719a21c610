using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Diffusion.Cli.Commands;

/// <summary>
/// <c>diffusion run FILE --nproc N</c>: starts <c>mpiexec -n N</c> with this same program and arguments (less
/// <c>--nproc</c>) and the same environment, forwards SIGTERM to it (it passes signals on to every rank), and returns
/// its exit code. Ctrl+C in a terminal reaches mpiexec directly (same process group): the launcher only waits for it,
/// since a second SIGINT would make mpiexec kill the ranks before they record the run as KILLED. <c>DIFFUSION_MPIEXEC</c> names another launcher.
/// A run that ends with MPI_Abort leaves its error in a <see cref="LaunchReport"/>, printed here after mpiexec returns.
/// </summary>
internal static partial class MpiLauncher
{
    public static int Run(int ranks)
    {
        string? mpiexec = Environment.GetEnvironmentVariable("DIFFUSION_MPIEXEC") is { Length: > 0 } configured ? configured : FindOnPath("mpiexec");
        if (mpiexec is null)
        {
            Console.Error.WriteLine("error: --nproc starts the ranks with mpiexec, which is not on PATH: install MPICH (sudo apt-get install mpich) or set DIFFUSION_MPIEXEC");
            return CommandLine.InvalidInput;
        }
        var info = new ProcessStartInfo(mpiexec) { UseShellExecute = false };
        info.ArgumentList.Add("-n");
        info.ArgumentList.Add(ranks.ToString(CultureInfo.InvariantCulture));
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this program is unknown");
        info.ArgumentList.Add(host);
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (string argument in WithoutNproc(Environment.GetCommandLineArgs().Skip(1))) info.ArgumentList.Add(argument);
        string report = LaunchReport.Create();
        info.Environment[LaunchReport.Variable] = report;

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {mpiexec}");
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Forward(context, process, 15));
        process.WaitForExit();
        LaunchReport.Print(report, Console.Error);
        return process.ExitCode;
    }

    /// <summary>The arguments with <c>--nproc N</c> / <c>--nproc=N</c> taken out.</summary>
    public static IEnumerable<string> WithoutNproc(IEnumerable<string> arguments)
    {
        bool skipNext = false;
        foreach (string argument in arguments)
        {
            if (skipNext)
            {
                skipNext = false;
                continue;
            }
            if (argument == "--nproc")
            {
                skipNext = true;
                continue;
            }
            if (argument.StartsWith("--nproc=", StringComparison.Ordinal)) continue;
            yield return argument;
        }
    }

    private static void Forward(PosixSignalContext context, Process process, int signal)
    {
        context.Cancel = true; // the launcher lives on until mpiexec has stopped the ranks, then returns its exit code
        try
        {
            if (!process.HasExited) Kill(process.Id, signal);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
