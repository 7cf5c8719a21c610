using System.Security.Cryptography;
using System.Text;
using Diffusion.Tracking.Tests.Support;

namespace Diffusion.Tracking.Tests;

public abstract class RunLifecycleTests : IDisposable
{
    private readonly TestDatabase _db;
    private readonly ITrackingStore _store;

    protected RunLifecycleTests(TestDatabase db)
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
    public void A_started_run_is_running_and_records_where_and_what_it_runs()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        using var run = _store.StartRun(TestOptions.Run("train", "mnist"));

        Assert.Matches("^[0-9a-f]{10}$", run.RunId);
        var details = _store.FindRun(run.RunId)!;
        Assert.Equal(RunStatus.Running, details.Run.Status);
        Assert.Equal("train", details.Run.Name);
        Assert.Equal("mnist", details.Run.Experiment);
        Assert.Equal(42, details.Run.Seed);
        Assert.InRange(details.Run.StartTime, before, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Null(details.Run.EndTime);
        Assert.Equal("pipelines/test.yaml", details.PipelinePath);
        Assert.Equal("stages: []\n", details.PipelineText);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("stages: []\n"))), details.PipelineHash);
        Assert.Equal("test-1.0", details.CodeVersion);
        Assert.Equal(HostName.Current, details.Host);
        Assert.Equal(Environment.ProcessId, details.Pid);
        Assert.NotNull(details.Heartbeat);
    }

    [BackendFact]
    public void Complete_sets_status_and_end_time()
    {
        var run = _store.StartRun(TestOptions.Run());
        run.Complete();

        var summary = _store.FindRun(run.RunId)!.Run;
        Assert.Equal(RunStatus.Completed, summary.Status);
        Assert.NotNull(summary.EndTime);
        Assert.True(summary.EndTime >= summary.StartTime);
        Assert.Null(summary.Message);
        Assert.Equal("COMPLETED", _db.Scalar("SELECT status FROM runs WHERE id = @id;", ("@id", run.RunId)));
    }

    [BackendFact]
    public void Fail_and_Kill_record_their_message()
    {
        var failed = _store.StartRun(TestOptions.Run("a"));
        var killed = _store.StartRun(TestOptions.Run("b"));
        failed.Fail("CUDA out of memory");
        killed.Kill("cancelled by Ctrl+C");

        var f = _store.FindRun(failed.RunId)!.Run;
        var k = _store.FindRun(killed.RunId)!.Run;
        Assert.Equal((RunStatus.Failed, "CUDA out of memory"), (f.Status, f.Message));
        Assert.Equal((RunStatus.Killed, "cancelled by Ctrl+C"), (k.Status, k.Message));
        Assert.NotNull(f.EndTime);
        Assert.NotNull(k.EndTime);
    }

    [BackendFact]
    public void A_closed_run_takes_no_more_values_and_closes_once()
    {
        var run = _store.StartRun(TestOptions.Run());
        run.LogMetric("loss", 1, 0);
        run.Complete();

        Assert.Throws<InvalidOperationException>(() => run.LogMetric("loss", 2, 1));
        Assert.Throws<InvalidOperationException>(() => run.Fail("late"));
        run.Flush();
        run.Dispose();
        Assert.Equal(RunStatus.Completed, _store.FindRun(run.RunId)!.Run.Status);
        Assert.Single(_store.MetricHistory(run.RunId, "loss"));
    }

    [BackendFact]
    public void Dispose_without_closing_writes_what_was_queued_and_leaves_the_status()
    {
        var run = _store.StartRun(TestOptions.Run());
        run.LogMetric("loss", 0.5, 0);
        run.Dispose();

        Assert.Equal("RUNNING", _db.Scalar("SELECT status FROM runs WHERE id = @id;", ("@id", run.RunId)));
        Assert.Equal(1L, _db.Scalar("SELECT count(*) FROM metrics WHERE run_id = @id;", ("@id", run.RunId)));
    }

    [BackendFact]
    public void Resume_brings_an_ended_run_back_to_running_and_it_can_log_again()
    {
        var first = _store.StartRun(TestOptions.Run());
        first.LogMetric("loss", 1, 0);
        first.Fail("preempted");

        using var resumed = _store.ResumeRun(first.RunId);
        Assert.Equal(first.RunId, resumed.RunId);
        var running = _store.FindRun(first.RunId)!;
        Assert.Equal(RunStatus.Running, running.Run.Status);
        Assert.Null(running.Run.EndTime);
        Assert.Null(running.Run.Message);
        Assert.Equal(Environment.ProcessId, running.Pid);

        resumed.LogMetric("loss", 0.5, 1);
        resumed.Complete();
        Assert.Equal(RunStatus.Completed, _store.FindRun(first.RunId)!.Run.Status);
        Assert.Equal([0L, 1L], _store.MetricHistory(first.RunId, "loss").Select(p => p.Step));
    }

    [BackendFact]
    public void Steps_done_again_after_a_resume_replace_their_rows_so_the_history_equals_an_uninterrupted_one()
    {
        // Uninterrupted: steps 0..11, two values per step for 'loss' (train and a second logger), one for 'lr'.
        using (var whole = _store.StartRun(TestOptions.Run("whole")))
        {
            for (int step = 0; step < 12; step++)
            {
                whole.LogMetric("loss", 10 - step, step);
                whole.LogMetric("lr", 0.1, step);
            }
            whole.LogMetric("eval", 3, 12);
            whole.Complete();
            Check(whole.RunId);
        }

        // Interrupted at step 9 with a checkpoint at step 5; the first attempt logged different values (noise).
        var first = _store.StartRun(TestOptions.Run("interrupted"));
        for (int step = 0; step < 10; step++)
        {
            first.LogMetric("loss", 100 + step, step);
            first.LogMetric("lr", 0.1, step);
        }
        first.Kill("interrupted");

        using (var resumed = _store.ResumeRun(first.RunId))
        {
            // Steps 0..5 are in the checkpoint and are not logged again.
            for (int step = 6; step < 12; step++)
            {
                resumed.LogMetric("loss", 10 - step, step);
                resumed.LogMetric("lr", 0.1, step);
            }
            resumed.LogMetric("eval", 3, 12);
            resumed.Complete();
        }

        var history = _store.MetricHistory(first.RunId, "loss");
        // One row per step: 0..5 from the first attempt, 6..11 from the resumed one; none of steps 6..9 twice.
        Assert.Equal(Enumerable.Range(0, 12).Select(s => (long)s), history.Select(p => p.Step));
        Assert.Equal([100, 101, 102, 103, 104, 105, 4, 3, 2, 1, 0, -1], history.Select(p => p.Value));
        Assert.Equal(12, _store.MetricHistory(first.RunId, "lr").Count);
        var summary = _store.FindRun(first.RunId)!.Metrics.Single(m => m.Key == "loss");
        Assert.Equal((-1.0, 105.0, 12L, 11L), (summary.Last, summary.Max, summary.Count, summary.LastStep));
        Assert.Equal(-1.0, summary.Min);

        void Check(string id) => Assert.Equal(12, _store.MetricHistory(id, "loss").Count);
    }

    [BackendFact]
    public void Resume_refuses_unknown_runs_and_runs_still_being_recorded()
    {
        Assert.Equal("0123456789", Assert.Throws<RunNotFoundException>(() => _store.ResumeRun("0123456789")).RunId);

        using var live = _store.StartRun(TestOptions.Run());
        Assert.Throws<InvalidOperationException>(() => _store.ResumeRun(live.RunId));
    }

    [BackendFact]
    public void Runs_of_a_sweep_point_to_their_parent_which_must_exist()
    {
        using var sweep = _store.StartRun(TestOptions.Run("sweep"));
        using var child = _store.StartRun(TestOptions.Run("trial 1", parent: sweep.RunId));

        Assert.Equal(sweep.RunId, _store.FindRun(child.RunId)!.Run.ParentRunId);
        Assert.Throws<RunNotFoundException>(() => _store.StartRun(TestOptions.Run("orphan", parent: "ffffffffff")));
    }

    [BackendFact]
    public void Experiments_are_created_on_first_use_and_shared()
    {
        using var a = _store.StartRun(TestOptions.Run("a", "cifar"));
        using var b = _store.StartRun(TestOptions.Run("b", "cifar"));
        using var c = _store.StartRun(TestOptions.Run("c", "mnist"));

        Assert.Equal(2L, _db.Scalar("SELECT count(*) FROM experiments;"));
        Assert.Equal(1L, _db.Scalar("SELECT count(DISTINCT experiment_id) FROM runs WHERE id IN (@a, @b);", ("@a", a.RunId), ("@b", b.RunId)));
    }

    [BackendFact]
    public void Tags_are_recorded_and_replaced_by_key()
    {
        using var run = _store.StartRun(TestOptions.Run());
        run.SetTag("stage", "train");
        run.SetTag("stage", "sample");
        run.SetTag("gpu", "none");
        run.Flush();

        Assert.Equal(
            [new TagValue("gpu", "none"), new TagValue("stage", "sample")],
            _store.FindRun(run.RunId)!.Tags);
    }

    [BackendFact]
    public void A_recorder_works_on_after_its_store_is_disposed()
    {
        var store = _db.Open();
        var run = store.StartRun(TestOptions.Run());
        store.Dispose();

        run.LogMetric("loss", 1, 0);
        run.Complete();
        Assert.Equal(RunStatus.Completed, _store.FindRun(run.RunId)!.Run.Status);
        Assert.Throws<ObjectDisposedException>(() => store.ListRuns());
    }
}

public sealed class SqliteRunLifecycleTests() : RunLifecycleTests(new SqliteTestDatabase());

public sealed class PostgresRunLifecycleTests() : RunLifecycleTests(new PostgresTestDatabase()), IPostgresTests;
