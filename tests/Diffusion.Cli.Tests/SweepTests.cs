using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Diffusion.Cli.Tests;

/// <summary>diffusion sweep end to end, on a pipeline whose trials train a tiny model for a few steps.</summary>
public sealed class SweepTests : IDisposable
{
    /// <summary>A two-step train-only pipeline on tiny shapes; tests append a <c>sweep:</c> block.</summary>
    internal const string Base = """
        name: mini
        seed: 5
        device: cpu
        components:
          data: { plugin: image, dataset: shapes, image_size: 8, count: 32 }
          model: { plugin: unet2d, base_channels: 4, channel_mults: [1], attention_resolutions: [], groups: 2 }
          noise: { plugin: ddpm, timesteps: 10 }
        stages:
          - { name: train, type: train, model: model, data: data, sampler: noise, steps: 2, batch_size: 4, lr: 0.001, checkpoint_every: 0 }

        """;

    private readonly WorkDir _work = new();

    public void Dispose() => _work.Dispose();

    private string Db => Path.Combine(_work.Path, "runs", "tracking.db");

    [Fact]
    public void AGridSweepRunsEachTrialOnceInWorkerProcessesAsChildRunsOfTheSweep()
    {
        string file = _work.File("grid.yaml", Base + """
            sweep:
              method: grid
              objective: train/loss
              parameters:
                stages.train.lr: [0.001, 0.01]
                stages.train.batch_size: [2, 4]
            """);

        var sweep = Cli.Run(_work.Path, "sweep", file, "--workers", "2");

        Assert.True(sweep.ExitCode == 0, sweep.Stdout + sweep.Stderr);
        string id = Regex.Match(sweep.Stdout, @"sweep ([0-9a-f]{10}) started: grid, 4 trials, minimize train/loss").Groups[1].Value;
        Assert.NotEmpty(id);
        Assert.Equal(4, Regex.Matches(sweep.Stdout, @"trial \d +COMPLETED train/loss = ").Count);
        Assert.Contains($"sweep {id} COMPLETED: 4 of 4 trials ended: 4 completed", sweep.Stdout);
        Assert.Matches(@"best: trial \d \(run [0-9a-f]{10}\) train/loss = ", sweep.Stdout);

        var trials = Rows("SELECT state, attempts, run_id FROM sweep_trials WHERE sweep_id = @id ORDER BY number;", id);
        Assert.All(trials, t => Assert.Equal(("COMPLETED", 1L), ((string)t[0]!, (long)t[1]!)));
        var children = JsonDocument.Parse(Cli.Run(_work.Path, "runs", "list", "--parent", id, "--json", "--columns", "params.stages.train.lr, params.stages.train.batch_size").Stdout)
            .RootElement.EnumerateArray().ToList();
        Assert.Equal(trials.Select(t => (string)t[2]!).Order(), children.Select(c => c.GetProperty("id").GetString()).Order());
        Assert.All(children, c => Assert.Equal("COMPLETED", c.GetProperty("status").GetString()));
        var points = children.Select(c => c.GetProperty("columns")).Select(c => (c.GetProperty("params.stages.train.lr").GetDouble(), c.GetProperty("params.stages.train.batch_size").GetInt32()));
        Assert.Equal([(0.001, 2), (0.001, 4), (0.01, 2), (0.01, 4)], points.Order());

        var parent = JsonDocument.Parse(Cli.Run(_work.Path, "runs", "show", id, "--json").Stdout).RootElement;
        Assert.Equal("COMPLETED", parent.GetProperty("status").GetString());
        Assert.Equal(4, parent.GetProperty("child_runs").GetInt32());
        Assert.Equal(4, parent.GetProperty("metrics").GetProperty("trial/train/loss").GetProperty("count").GetInt32());
        Assert.Contains(parent.GetProperty("tags").GetProperty("sweep.best_run").GetString(), children.Select(c => c.GetProperty("id").GetString()));
    }

    [Fact]
    public void FailFastStopsAtTheFirstFailedTrialAndResumeRunsWhatIsLeft()
    {
        string file = _work.File("failing.yaml", Base + """
            sweep:
              method: grid
              objective: train/loss
              parameters:
                components.data.dataset: [fashion-mnist, shapes]
            """);

        var stopped = Cli.Run(_work.Path, "sweep", file, "--set", "components.data.path=.", "--fail-fast");

        Assert.True(stopped.ExitCode == 1, stopped.Stdout + stopped.Stderr);
        string id = Regex.Match(stopped.Stdout, @"sweep ([0-9a-f]{10}) started").Groups[1].Value;
        Assert.Contains("trial 0   FAILED", stopped.Stdout);
        Assert.Contains("stopped by --fail-fast: trial 0 failed", stopped.Stderr);
        Assert.Contains($"diffusion sweep --resume {id}", stopped.Stderr);
        Assert.Equal(["FAILED", "PENDING"], Rows("SELECT state FROM sweep_trials WHERE sweep_id = @id ORDER BY number;", id).Select(r => (string)r[0]!));

        var resumed = Cli.Run(_work.Path, "sweep", "--resume", id[..6]);

        Assert.True(resumed.ExitCode == 0, resumed.Stdout + resumed.Stderr);
        Assert.Contains($"sweep {id} resumed: 1 of 2 trials already ended", resumed.Stdout);
        Assert.Contains("trial 1   COMPLETED", resumed.Stdout);
        Assert.Equal(["FAILED", "COMPLETED"], Rows("SELECT state FROM sweep_trials WHERE sweep_id = @id ORDER BY number;", id).Select(r => (string)r[0]!));
        Assert.Equal(2L, Rows("SELECT count(*) FROM runs WHERE parent_run_id = @id;", id).Single()[0]);
        Assert.Equal("COMPLETED", Rows("SELECT status FROM runs WHERE id = @id;", id).Single()[0]);
    }

    [Fact]
    public async Task AKilledWorkersTrialGoesBackToTheQueueWhenItsHeartbeatGoesStale()
    {
        string file = _work.File("long.yaml", Base.Replace("steps: 2,", "steps: 12,") + """
            sweep:
              method: grid
              objective: train/loss
              parameters:
                stages.train.lr: [0.001, 0.002]
            """);
        using var sweep = Cli.Start(_work.Path, null, "sweep", file, "--workers", "2", "--stale-after", "2");
        using var reaper = Cli.KillOnDispose(sweep);
        var stdout = sweep.StandardOutput.ReadToEndAsync();
        var stderr = sweep.StandardError.ReadToEndAsync();

        // Kill -9 the first worker seen running a trial (the worker column reads host:pid:tag).
        var clock = Stopwatch.StartNew();
        (string Id, long Number, int Pid)? victim = null;
        while (victim is null && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(100);
            if (!File.Exists(Db)) continue;
            try
            {
                victim = Rows("SELECT sweep_id, number, worker FROM sweep_trials WHERE state = 'RUNNING' AND run_id IS NOT NULL LIMIT 1;", "")
                    .Select(r => ((string)r[0]!, (long)r[1]!, int.Parse(((string)r[2]!).Split(':')[1]))).Cast<(string, long, int)?>().FirstOrDefault();
            }
            catch (SqliteException)
            {
                // The schema may not be there yet.
            }
        }
        Assert.NotNull(victim);
        Process.GetProcessById(victim.Value.Pid).Kill();

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await sweep.WaitForExitAsync(timeout.Token);
        Assert.True(sweep.ExitCode == 0, await stdout + await stderr);
        var trials = Rows("SELECT number, state, attempts FROM sweep_trials WHERE sweep_id = @id ORDER BY number;", victim.Value.Id);
        Assert.All(trials, t => Assert.Equal("COMPLETED", t[1]));
        Assert.Equal(2L, trials.Single(t => (long)t[0]! == victim.Value.Number)[2]);
        // Three runs: the two that completed and the killed worker's, found dead and recorded KILLED.
        var children = JsonDocument.Parse(Cli.Run(_work.Path, "runs", "list", "--parent", victim.Value.Id, "--json").Stdout).RootElement.EnumerateArray()
            .Select(c => c.GetProperty("status").GetString()).Order().ToList();
        Assert.Equal(["COMPLETED", "COMPLETED", "KILLED"], children);
    }

    [Fact]
    public void TheMedianPrunerStopsATrialWorseThanTheCompletedOnesAtTheSameStep()
    {
        // Both trials see the same first batch, so their step-1 losses are equal; at lr 10 without clipping the
        // second one's loss then explodes, so its best stays at step 1 while the first trial's loss went below it
        // (from about step 14 on). The worker checks the pruner every 500 ms, so the trial runs 150 steps (seconds)
        // rather than 20, which could end before the first check and then complete unpruned.
        string file = _work.File("pruned.yaml", Base.Replace("steps: 2,", "steps: 150,") + """
            sweep:
              method: grid
              objective: train/loss
              parameters:
                stages.train.lr: [0.01, 10]
              pruner: { metric: train/loss, warmup_steps: 2, startup_trials: 1 }
            """);

        var sweep = Cli.Run(_work.Path, "sweep", file, "--set", "stages.train.grad_clip=0", "--set", "stages.train.batch_size=8");

        Assert.True(sweep.ExitCode == 0, sweep.Stdout + sweep.Stderr);
        string id = Regex.Match(sweep.Stdout, @"sweep ([0-9a-f]{10}) started: grid, 2 trials, minimize train/loss, median pruner on train/loss").Groups[1].Value;
        Assert.Contains("trial 1   PRUNED", sweep.Stdout);
        var pruned = Rows("SELECT t.state, r.status, r.message FROM sweep_trials t JOIN runs r ON r.id = t.run_id WHERE t.sweep_id = @id AND t.number = 1;", id).Single();
        Assert.Equal(("PRUNED", "KILLED"), ((string)pruned[0]!, (string)pruned[1]!));
        Assert.StartsWith("pruned at step ", (string)pruned[2]!);
        Assert.Contains("is worse than the median", (string)pruned[2]!);
    }

    [Fact]
    public void SweepBlockMistakesArePointedAtInTheFileBeforeAnyTrialRuns()
    {
        string file = _work.File("bad.yaml", Base + """
            sweep:
              method: grdi
              objective: train/loss
              parameters:
                stages.train.lrr: [0.1, 0.2]
                stages.train.lr: { uniform: [0.1, 20] }
                stages.train.steps: { int_uniform: [5, 1] }
            """);

        var bad = Cli.Run(_work.Path, "sweep", file);

        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("bad.yaml:11:11: error: sweep.method: expected one of grid|random|tpe, got 'grdi' (did you mean 'grid'?)", bad.Stderr);
        Assert.Contains("bad.yaml:16:40: error: sweep.parameters.stages.train.steps: int_uniform needs low <= high, got [5, 1]", bad.Stderr);
        Assert.False(File.Exists(Db), "nothing may be recorded for an invalid sweep");

        string typo = _work.File("typo.yaml", Base + """
            sweep:
              method: random
              trials: 3
              objective: train/loss
              parameters:
                stages.train.lrr: [0.1, 0.2]
                stages.train.lr: { uniform: [0.1, 20] }
            """);
        var paths = Cli.Run(_work.Path, "sweep", typo);
        Assert.Equal(2, paths.ExitCode);
        Assert.Contains("typo.yaml:15:5: error: sweep.parameters.stages.train.lrr = 0.1: ", paths.Stderr);
        Assert.Contains("(did you mean 'lr'?)", paths.Stderr);
        Assert.Contains("typo.yaml:16:5: error: sweep.parameters.stages.train.lr = 20: lr: must be in [1E-09, 10], got 20", paths.Stderr);
        Assert.False(File.Exists(Db));

        var none = Cli.Run(_work.Path, "sweep", _work.File("plain.yaml", Base));
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("has no sweep: block", none.Stderr);
    }

    private List<object?[]> Rows(string sql, string id)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Db, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("@id", id);
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }
}
