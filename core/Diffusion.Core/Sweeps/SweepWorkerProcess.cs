using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Diffusion.Core.Sweeps;

/// <summary>
/// A worker of a sweep in a process of its own: the running program again, started with its hidden
/// <see cref="Command"/> command, which runs a <see cref="SweepWorker"/>. Its output goes to a log file.
/// </summary>
public sealed class SweepWorkerProcess : ISweepWorkerProcess
{
    /// <summary>The command the host program runs a worker with: <c>sweep-worker SWEEP_ID --tag N --db DB --artifacts DIR</c>.</summary>
    public const string Command = "sweep-worker";

    private readonly Process _process;
    private readonly StreamWriter _log;

    private SweepWorkerProcess(Process process, StreamWriter log) => (_process, _log) = (process, log);

    /// <inheritdoc/>
    public bool HasExited => _process.HasExited;

    /// <summary>Starts worker <paramref name="number"/> of a sweep, appending its output to <paramref name="logPath"/>.</summary>
    /// <param name="tracking">The tracking location (see <see cref="Tracking.TrackingStores.For"/>).</param>
    /// <param name="artifactRoot">The folder that holds run folders.</param>
    /// <param name="sweepId">The sweep (its parent run's id).</param>
    /// <param name="number">The worker's number (1, 2, ...), its tag in the trial rows.</param>
    /// <param name="logPath">The worker's log file.</param>
    public static SweepWorkerProcess Start(string tracking, string artifactRoot, string sweepId, int number, string logPath)
    {
        // The same program: the apphost itself, or 'dotnet diffusion.dll' when run through the dotnet host.
        string host = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var arg in new[] { Command, sweepId, "--tag", number.ToString(CultureInfo.InvariantCulture), "--db", tracking, "--artifacts", artifactRoot })
            info.ArgumentList.Add(arg);
        // A secret the location leaves out (a password given in a PostgreSQL URI) goes by environment, never by argument.
        foreach (var (name, value) in Tracking.TrackingStores.For(tracking).ChildEnvironment)
            info.Environment[name] = value;
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new SweepWorkerProcess(process, log);
    }

    /// <summary>Asks the worker to stop (SIGTERM; on Windows the process is killed): it puts its trial back in the queue and exits.</summary>
    public void Interrupt()
    {
        if (_process.HasExited) return;
        if (OperatingSystem.IsWindows()) _process.Kill(entireProcessTree: true);
        else _ = SendSignal(_process.Id, 15);
    }

    /// <summary>Waits for the worker to exit and closes its log.</summary>
    public void Dispose()
    {
        _process.WaitForExit();
        _process.Dispose();
        lock (_log) _log.Dispose();
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null) return;
        lock (log) log.WriteLine(line);
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
