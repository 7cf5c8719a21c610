using Microsoft.Data.Sqlite;

namespace Diffusion.Tracking;

/// <summary>
/// Finds RUNNING runs whose process is gone (<see cref="RunLiveness"/>) and records them as KILLED, so that no run
/// shows RUNNING forever.
/// </summary>
internal static class StaleRuns
{
    /// <summary>Records the dead runs KILLED; or, for a read-only store, only finds them (to be reported KILLED).</summary>
    public static DeadRuns Sweep(SqliteConnection connection, TrackingOptions options)
    {
        var dead = Find(connection, options);
        if (options.ReadOnly)
        {
            return new DeadRuns(dead);
        }

        Record(connection, dead);
        return DeadRuns.None;
    }

    private static List<RunningRun> Find(SqliteConnection connection, TrackingOptions options)
    {
        var now = UnixTime.NowMs();
        return connection.Query(
                $"SELECT id, host, pid, coalesce(heartbeat, start_time) FROM runs WHERE status = '{RunStatusText.Running}';",
                r => new RunningRun(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetInt64(3)))
            .Where(run => !RunLiveness.IsAlive(run, now, options))
            .ToList();
    }

    private static void Record(SqliteConnection connection, List<RunningRun> dead)
    {
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
                    ("@id", run.Id), ("@last", run.LastSignMs), ("@message", RunLiveness.MessageFor(run.LastSignMs)));
            }
        });
    }
}
