using System.Runtime.InteropServices;

namespace Diffusion.Cli;

/// <summary>
/// Started by <c>dotnet run</c>, the CLI is a child process that <c>dotnet run</c> does not stop when it is itself
/// terminated or killed, so a run went on training in the background after its parent was gone. On Linux the CLI asks
/// the kernel for SIGTERM when that parent dies (<c>prctl(PR_SET_PDEATHSIG)</c>); SIGTERM then ends the run as KILLED
/// and resumable, as Ctrl+C does. Only under <c>dotnet run</c>: a run started from a shell with <c>nohup</c> or <c>&amp;</c>
/// must outlive the shell.
/// </summary>
internal static partial class ParentWatch
{
    private const int PrSetPdeathsig = 1, Sigterm = 15;

    /// <summary>Arms the parent-death signal when the parent is <c>dotnet run</c>; true when armed.</summary>
    public static bool ArmUnderDotnetRun()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            int parent = getppid();
            if (!IsDotnetRun(parent)) return false;
            if (prctl(PrSetPdeathsig, Sigterm, 0, 0, 0) != 0) return false;
            // The parent may have died between reading it and arming: then nobody will send the signal.
            if (getppid() != parent) kill(Environment.ProcessId, Sigterm);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>True when process <paramref name="pid"/>'s command line is <c>dotnet run ...</c>.</summary>
    internal static bool IsDotnetRun(int pid)
    {
        string path = $"/proc/{pid}/cmdline";
        if (!File.Exists(path)) return false;
        string[] argv = File.ReadAllText(path).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        return argv.Length >= 2 && Path.GetFileName(argv[0]) == "dotnet" && argv[1] == "run";
    }

    [LibraryImport("libc")]
    private static partial int getppid();

    [LibraryImport("libc")]
    private static partial int prctl(int option, nint arg2, nint arg3, nint arg4, nint arg5);

    [LibraryImport("libc")]
    private static partial int kill(int pid, int signal);
}
