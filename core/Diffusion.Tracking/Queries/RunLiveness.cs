using System.Globalization;

namespace Diffusion.Tracking;

/// <summary>
/// Whether a RUNNING run's process is still there, the same way on every backend. Gone means: on this machine,
/// the pid no longer exists (or is this process, which is not recording the run); on any machine, the heartbeat
/// is older than <see cref="TrackingOptions.StaleAfter"/>. The pid is only checked on the run's own host.
/// </summary>
internal static class RunLiveness
{
    /// <summary>The start of the message of a run found dead; a heartbeat from the run brings it back to RUNNING.</summary>
    public const string MessagePrefix = "process ended without closing the run";

    public static bool IsAlive(RunningRun run, long nowMs, TrackingOptions options)
    {
        if (LiveRuns.Contains(run.Id))
        {
            return true;
        }

        if (run.Host == HostName.Current && (run.Pid == Environment.ProcessId || !ProcessLiveness.IsRunning(run.Pid)))
        {
            return false;
        }

        return nowMs - run.LastSignMs <= (long)options.StaleAfter.TotalMilliseconds;
    }

    public static string MessageFor(long lastSignMs) =>
        $"{MessagePrefix} (last heartbeat {UnixTime.From(lastSignMs).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)})";
}

/// <summary>What a liveness check needs to know about a RUNNING run.</summary>
/// <param name="Id">The run id.</param>
/// <param name="Host">The machine it runs on.</param>
/// <param name="Pid">Its process id there.</param>
/// <param name="LastSignMs">Its heartbeat, or its start time if it never beat.</param>
internal sealed record RunningRun(string Id, string Host, int Pid, long LastSignMs);
