using Diffusion.Tracking.Tests.Support;

namespace Diffusion.Tracking.Tests;

public abstract class StaleRunTests : IDisposable
{
    /// <summary>Above any pid_max, so no process has it.</summary>
    private const int DeadPid = 999_999_999;

    private readonly TestDatabase _db;
    private readonly ITrackingStore _store;

    protected StaleRunTests(TestDatabase db)
    {
        _db = db;
        _store = db.Open();
    }

    public void Dispose()
    {
        _store.Dispose();
        _db.Dispose();
    }

    [BackendFact]
    public void A_run_on_another_host_with_an_old_heartbeat_is_reported_and_recorded_killed()
    {
        var runId = AbandonedRun();
        var lastBeat = DateTimeOffset.UtcNow.AddMinutes(-10);
        _db.Execute("UPDATE runs SET host = 'elsewhere', heartbeat = @hb WHERE id = @id;", ("@hb", lastBeat.ToUnixTimeMilliseconds()), ("@id", runId));

        var listed = Assert.Single(_store.ListRuns());
        Assert.Equal(RunStatus.Killed, listed.Status);
        Assert.StartsWith("process ended without closing the run (last heartbeat ", listed.Message);
        Assert.Contains(lastBeat.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture), listed.Message);
        Assert.Equal(lastBeat.ToUnixTimeMilliseconds(), listed.EndTime!.Value.ToUnixTimeMilliseconds());
        Assert.Equal("KILLED", _db.Scalar("SELECT status FROM runs WHERE id = @id;", ("@id", runId)));
    }

    [BackendFact]
    public void A_run_on_another_host_with_a_fresh_heartbeat_stays_running()
    {
        var runId = AbandonedRun();
        _db.Execute("UPDATE runs SET host = 'elsewhere', heartbeat = @hb WHERE id = @id;", ("@hb", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), ("@id", runId));

        Assert.Equal(RunStatus.Running, _store.FindRun(runId)!.Run.Status);
    }

    [BackendFact]
    public void A_run_of_this_host_whose_process_is_gone_is_killed_even_with_a_fresh_heartbeat()
    {
        var runId = AbandonedRun();
        _db.Execute("UPDATE runs SET pid = @pid, heartbeat = @hb WHERE id = @id;", ("@pid", DeadPid), ("@hb", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), ("@id", runId));

        Assert.Equal(RunStatus.Killed, _store.FindRun(runId)!.Run.Status);
    }

    [BackendFact]
    public void A_run_this_process_left_open_is_killed()
    {
        var runId = AbandonedRun();

        var run = _store.FindRun(runId)!.Run;
        Assert.Equal(RunStatus.Killed, run.Status);
        Assert.StartsWith("process ended without closing the run", run.Message);
    }

    [BackendFact]
    public void A_run_this_process_is_recording_is_never_killed_whatever_its_heartbeat()
    {
        // Default options: the writer will not stamp a heartbeat during the test.
        using var recordingStore = _db.Open(TrackingOptions.Default);
        using var run = recordingStore.StartRun(TestOptions.Run());
        _db.Execute("UPDATE runs SET heartbeat = 0 WHERE id = @id;", ("@id", run.RunId));

        Assert.Equal(RunStatus.Running, Assert.Single(_store.ListRuns()).Status);
        Assert.Equal(RunStatus.Running, _store.FindRun(run.RunId)!.Run.Status);
    }

    [BackendFact]
    public async Task The_writer_keeps_the_heartbeat_fresh_and_revives_a_run_taken_for_dead()
    {
        using var run = _store.StartRun(TestOptions.Run());
        _db.Execute(
            "UPDATE runs SET heartbeat = 0, status = 'KILLED', message = 'process ended without closing the run (last heartbeat 1970-01-01 00:00:00Z)' WHERE id = @id;",
            ("@id", run.RunId));

        await WaitUntil(() => (long)_db.Scalar("SELECT heartbeat FROM runs WHERE id = @id;", ("@id", run.RunId))! > 0);
        var details = _store.FindRun(run.RunId)!;
        Assert.Equal(RunStatus.Running, details.Run.Status);
        Assert.Null(details.Run.Message);
        Assert.InRange(details.Heartbeat!.Value, DateTimeOffset.UtcNow.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(1));
    }

    [BackendFact]
    public async Task A_run_whose_process_exited_without_closing_it_is_killed()
    {
        var runId = await ChildProcess.RunToEndAsync(ChildProcess.Start("leave-open", _db.Location), TimeSpan.FromSeconds(30));

        var details = _store.FindRun(runId)!;
        Assert.Equal(RunStatus.Killed, details.Run.Status);
        Assert.StartsWith("process ended without closing the run", details.Run.Message);
        Assert.Equal(new ParamValue("lr", 0.1, "float"), Assert.Single(details.Params));
    }

    /// <summary>A RUNNING run that no recorder of this process is writing.</summary>
    private string AbandonedRun()
    {
        var run = _store.StartRun(TestOptions.Run());
        run.Dispose();
        return run.RunId;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 5 s");
            await Task.Delay(20);
        }
    }
}

public sealed class SqliteStaleRunTests() : StaleRunTests(new SqliteTestDatabase());

public sealed class PostgresStaleRunTests() : StaleRunTests(new PostgresTestDatabase()), IPostgresTests;
