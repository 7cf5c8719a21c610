using System.ComponentModel;
using System.Diagnostics;

namespace Diffusion.Tracking;

/// <summary>Whether a process of this machine is still alive.</summary>
internal static class ProcessLiveness
{
    public static bool IsRunning(int pid)
    {
        if (pid <= 0)
        {
            return false;
        }

        return OperatingSystem.IsLinux() ? IsRunningOnLinux(pid) : IsRunningElsewhere(pid);
    }

    /// <summary>/proc/PID/stat exists and the state is not zombie or dead (a killed child not yet reaped is a zombie).</summary>
    private static bool IsRunningOnLinux(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // "pid (command) S ...": the command may hold spaces and parentheses, the state follows the last ')'.
            var close = stat.LastIndexOf(')');
            var state = close >= 0 && close + 2 < stat.Length ? stat[close + 2] : 'R';
            return state is not ('Z' or 'X' or 'x');
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    private static bool IsRunningElsewhere(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        catch (Win32Exception)
        {
            // Exists but is not ours to inspect.
            return true;
        }
    }
}
