using Npgsql;

namespace Diffusion.Tracking;

/// <summary>Records RUNNING runs whose process is gone (<see cref="RunLiveness"/>) as KILLED, as SQLite's <see cref="StaleRuns"/> does.</summary>
internal static class PostgresStaleRuns
{
    /// <summary>Records the dead runs KILLED; or, for a read-only store, only finds them (to be reported KILLED).</summary>
    public static DeadRuns Sweep(NpgsqlConnection connection, TrackingOptions options)
    {
        var now = UnixTime.NowMs();
        var dead = connection.Query(
                $"SELECT id, host, pid, coalesce(heartbeat, start_time) FROM runs WHERE status = '{RunStatusText.Running}';",
                r => new RunningRun(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetInt64(3)))
            .Where(run => !RunLiveness.IsAlive(run, now, options))
            .ToList();
        if (options.ReadOnly)
        {
            return new DeadRuns(dead);
        }

        foreach (var run in dead)
        {
            // Only if nothing moved since we looked: a fresh heartbeat means the run is alive after all.
            connection.Execute(
                $"""
                UPDATE runs SET status = '{RunStatusText.Killed}', end_time = @last, message = @message
                WHERE id = @id AND status = '{RunStatusText.Running}' AND coalesce(heartbeat, start_time) = @last;
                """,
                ("id", run.Id), ("last", run.LastSignMs), ("message", RunLiveness.MessageFor(run.LastSignMs)));
        }

        return DeadRuns.None;
    }
}
