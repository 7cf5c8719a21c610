using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Diffusion.Tracking;

/// <summary>
/// Finds RUNNING runs whose process is gone and records them as KILLED, so that no run shows RUNNING forever.
/// Gone means: on this machine, the pid no longer exists (or is this process, which is not recording the run);
/// anywhere, the heartbeat is older than <see cref="TrackingOptions.StaleAfter"/>.
/// </summary>
internal static class StaleRuns
{
    /// <summary>The start of the message of a run found dead; a heartbeat from the run brings it back to RUNNING.</summary>
    public const string MessagePrefix = "process ended without closing the run";

    public static void Sweep(SqliteConnection connection, TrackingOptions options)
    {
        var now = UnixTime.NowMs();
        var dead = connection.Query(
                $"SELECT id, host, pid, coalesce(heartbeat, start_time) FROM runs WHERE status = '{RunStatusText.Running}';",
                r => new RunningRun(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetInt64(3)))
            .Where(run => !IsAlive(run, now, options))
            .ToList();
        if (dead.Count == 0)
        {
            return;
        }

        connection.InWriteTransaction(() =>
        {
            foreach (var run in dead)
            {
                // Only if nothing moved since we looked: a fresh heartbeat means the run is alive after all.
                connection.Execute(
                    $"""
                    UPDATE runs SET status = '{RunStatusText.Killed}', end_time = @last, message = @message
                    WHERE id = @id AND status = '{RunStatusText.Running}' AND coalesce(heartbeat, start_time) = @last;
                    """,
                    ("@id", run.Id), ("@last", run.LastSignMs), ("@message", MessageFor(run.LastSignMs)));
            }
        });
    }

    public static bool IsAlive(RunningRun run, long nowMs, TrackingOptions options)
    {
        if (LiveRuns.Contains(run.Id))
        {
            return true;
        }

        if (run.Host == Environment.MachineName && (run.Pid == Environment.ProcessId || !ProcessLiveness.IsRunning(run.Pid)))
        {
            return false;
        }

        return nowMs - run.LastSignMs <= (long)options.StaleAfter.TotalMilliseconds;
    }

    public static string MessageFor(long lastSignMs) =>
        $"{MessagePrefix} (last heartbeat {UnixTime.From(lastSignMs).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)})";
}

/// <summary>What the sweep needs to know about a RUNNING run.</summary>
/// <param name="Id">The run id.</param>
/// <param name="Host">The machine it runs on.</param>
/// <param name="Pid">Its process id there.</param>
/// <param name="LastSignMs">Its heartbeat, or its start time if it never beat.</param>
internal sealed record RunningRun(string Id, string Host, int Pid, long LastSignMs);
