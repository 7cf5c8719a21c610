using Npgsql;

namespace Diffusion.Tracking;

/// <summary>Records RUNNING runs whose process is gone (<see cref="RunLiveness"/>) as KILLED, as SQLite's <see cref="StaleRuns"/> does.</summary>
internal static class PostgresStaleRuns
{
    public static void Sweep(NpgsqlConnection connection, TrackingOptions options)
    {
        var now = UnixTime.NowMs();
        var dead = connection.Query(
                $"SELECT id, host, pid, coalesce(heartbeat, start_time) FROM runs WHERE status = '{RunStatusText.Running}';",
                r => new RunningRun(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetInt64(3)))
            .Where(run => !RunLiveness.IsAlive(run, now, options))
            .ToList();
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
    }
}
