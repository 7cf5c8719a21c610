using System.Globalization;
using Diffusion.Tracking.Tests.Support;

namespace Diffusion.Tracking.Tests.Sweeps;

public abstract class SweepStoreTests : IDisposable
{
    private readonly TestDatabase _db;
    private readonly ITrackingStore _runs;
    private readonly ISweepStore _sweeps;

    protected SweepStoreTests(TestDatabase db)
    {
        _db = db;
        _runs = db.Open();
        _sweeps = db.OpenSweeps();
    }

    public void Dispose()
    {
        _sweeps.Dispose();
        _runs.Dispose();
        _db.Dispose();
    }

    [BackendFact]
    public void Trials_are_claimed_in_order_once_each_and_the_sweep_then_finishes()
    {
        var id = NewSweep(budget: 3, points: 3);

        var claims = Enumerable.Range(0, 3).Select(_ => _sweeps.Claim(id, "w1", null)).ToList();

        Assert.Equal([0, 1, 2], claims.Select(c => c.Trial!.Number));
        Assert.All(claims, c => Assert.Equal((TrialState.Running, 1, "w1"), (c.Trial!.State, c.Trial.Attempts, c.Trial.Worker)));
        Assert.Equal(ClaimOutcome.Wait, _sweeps.Claim(id, "w2", null).Outcome);
        foreach (var claim in claims)
        {
            Assert.True(_sweeps.Finish(id, claim.Trial!.Number, "w1", TrialState.Completed, claim.Trial.Number * 0.5, null));
        }

        Assert.Equal(ClaimOutcome.Finished, _sweeps.Claim(id, "w2", null).Outcome);
        Assert.Equal([0.0, 0.5, 1.0], _sweeps.Trials(id).Select(t => t.Value));
        Assert.False(_sweeps.Finish(id, 0, "w1", TrialState.Completed, 9, null));
    }

    [BackendFact]
    public void New_trials_are_proposed_from_the_history_until_the_budget_is_used()
    {
        var id = NewSweep(budget: 3, points: 0);
        var seen = new List<(int Count, int Number)>();
        string Propose(IReadOnlyList<TrialRecord> history, int number)
        {
            seen.Add((history.Count, number));
            return $$"""{"x":"{{number}}"}""";
        }

        var first = _sweeps.Claim(id, "w", Propose).Trial!;
        _sweeps.Finish(id, first.Number, "w", TrialState.Completed, 1, null);
        var second = _sweeps.Claim(id, "w", Propose).Trial!;
        var third = _sweeps.Claim(id, "w", Propose).Trial!;

        Assert.Equal([(0, 0), (1, 1), (2, 2)], seen);
        Assert.Equal("""{"x":"2"}""", third.Point);
        Assert.Equal(ClaimOutcome.Wait, _sweeps.Claim(id, "w", Propose).Outcome);
        _sweeps.Finish(id, second.Number, "w", TrialState.Pruned, null, "pruned");
        _sweeps.Finish(id, third.Number, "w", TrialState.Failed, null, "boom");
        Assert.Equal(ClaimOutcome.Finished, _sweeps.Claim(id, "w", Propose).Outcome);
        Assert.Equal(3, seen.Count);
    }

    [BackendFact]
    public void A_claim_whose_heartbeat_went_stale_is_requeued_and_its_old_holder_learns_it_lost_it()
    {
        var id = NewSweep(budget: 1, points: 1, staleAfter: TimeSpan.FromMilliseconds(300));
        var trial = _sweeps.Claim(id, "dead", null).Trial!;
        Assert.Equal(HeartbeatOutcome.Held, _sweeps.Heartbeat(id, trial.Number, "dead"));
        Assert.Equal(ClaimOutcome.Wait, _sweeps.Claim(id, "alive", null).Outcome);

        Thread.Sleep(400);
        var taken = _sweeps.Claim(id, "alive", null).Trial!;

        Assert.Equal((0, 2, "alive"), (taken.Number, taken.Attempts, taken.Worker));
        Assert.Equal(HeartbeatOutcome.Lost, _sweeps.Heartbeat(id, 0, "dead"));
        Assert.False(_sweeps.Finish(id, 0, "dead", TrialState.Completed, 1, null));
        Assert.True(_sweeps.Finish(id, 0, "alive", TrialState.Completed, 2, null));
        Assert.Equal(2.0, Assert.Single(_sweeps.Trials(id)).Value);
    }

    [BackendFact]
    public void A_failed_trial_stops_a_fail_fast_sweep_and_running_trials_can_be_given_back()
    {
        var id = NewSweep(budget: 4, points: 4, failFast: true);
        var a = _sweeps.Claim(id, "w1", null).Trial!;
        var b = _sweeps.Claim(id, "w2", null).Trial!;

        _sweeps.Finish(id, a.Number, "w1", TrialState.Failed, null, "diverged");

        var sweep = _sweeps.Find(id)!;
        Assert.Equal(SweepState.Stopped, sweep.State);
        Assert.Contains("trial 0 failed: diverged", sweep.Message);
        Assert.Equal(ClaimOutcome.Stopped, _sweeps.Claim(id, "w3", null).Outcome);
        Assert.Equal(HeartbeatOutcome.SweepStopped, _sweeps.Heartbeat(id, b.Number, "w2"));
        Assert.True(_sweeps.Finish(id, b.Number, "w2", TrialState.Pending, null, "interrupted"));

        _sweeps.SetState(id, SweepState.Running);
        Assert.Equal(1, _sweeps.Claim(id, "w4", null).Trial!.Number);
    }

    [BackendFact]
    public async Task Threads_with_their_own_connections_never_claim_a_trial_twice()
    {
        const int trials = 60, workers = 6;
        var id = NewSweep(budget: trials, points: trials);
        using var start = new Barrier(workers);
        var claimed = await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Factory.StartNew(() =>
        {
            using var store = _db.OpenSweeps();
            var mine = new List<int>();
            start.SignalAndWait();
            while (store.Claim(id, $"w{w}", null).Trial is { } trial)
            {
                mine.Add(trial.Number);
                Assert.True(store.Finish(id, trial.Number, $"w{w}", TrialState.Completed, 0, null));
            }

            return mine;
        }, TaskCreationOptions.LongRunning)));

        Assert.Equal(Enumerable.Range(0, trials), claimed.SelectMany(c => c).Order());
        Assert.All(_sweeps.Trials(id), t => Assert.Equal(1, t.Attempts));
    }

    [BackendFact]
    public async Task Processes_claiming_from_one_sweep_never_claim_a_trial_twice()
    {
        const int trials = 40;
        var id = NewSweep(budget: trials, points: trials);
        var children = Enumerable.Range(0, 4).Select(w => ChildProcess.Start("claim-all", _db.Location, id, $"p{w}")).ToList();

        var outputs = await Task.WhenAll(children.Select(c => ChildProcess.RunToEndAsync(c, TimeSpan.FromSeconds(60))));

        var numbers = outputs.SelectMany(o => o.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            .Select(n => int.Parse(n.Trim(), CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(0, trials), numbers.Order());
        Assert.All(_sweeps.Trials(id), t => Assert.Equal((TrialState.Completed, 1), (t.State, t.Attempts)));
    }

    [BackendFact]
    public void A_sweep_needs_its_parent_run()
    {
        var definition = new SweepDefinition("0000000000", "p.yaml", "", [], "grid", "loss", false, 1, false, TimeSpan.FromSeconds(30));
        Assert.Throws<RunNotFoundException>(() => _sweeps.Create(definition, []));
    }

    private string NewSweep(int budget, int points, bool failFast = false, TimeSpan? staleAfter = null)
    {
        using var parent = _runs.StartRun(TestOptions.Run("sweep"));
        parent.Complete();
        var definition = new SweepDefinition(parent.RunId, "p.yaml", "name: p\n", ["seed=1"], "grid", "loss", false, budget, failFast,
            staleAfter ?? TimeSpan.FromSeconds(30));
        _sweeps.Create(definition, Enumerable.Range(0, points).Select(i => $$"""{"x":"{{i}}"}"""));
        var stored = _sweeps.Find(parent.RunId)!.Definition;
        Assert.Equal(definition, stored with { Overrides = definition.Overrides });
        Assert.Equal(definition.Overrides, stored.Overrides);
        return parent.RunId;
    }
}

public sealed class SqliteSweepStoreTests() : SweepStoreTests(new SqliteTestDatabase());

public sealed class PostgresSweepStoreTests() : SweepStoreTests(new PostgresTestDatabase()), IPostgresTests;
