using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Diffusion.Cli.Tests;

/// <summary>The CLI against the PostgreSQL test server: the quickstart, the runs commands, secrets, and a sweep over two hosts.</summary>
public sealed class PostgresCliTests : IDisposable
{
    private const string Secret = "hunter2-secret";

    private readonly WorkDir _work = new();
    private readonly Lazy<PostgresServer> _server = new(() => new PostgresServer());

    public void Dispose()
    {
        if (_server.IsValueCreated) _server.Value.Dispose();
        _work.Dispose();
    }

    private PostgresServer Server => _server.Value;

    /// <summary>The test's URI with a password in it (the test server trusts loopback connections, so any password is accepted).</summary>
    private string WithPassword => Regex.Replace(Server.Uri, "^(postgres(?:ql)?://[^:@/]+)@", $"$1:{Secret}@");

    [PostgresFact]
    public void TheQuickstartAndTheRunsCommandsWorkOnPostgresAndThePasswordIsNeverShownOrStored()
    {
        string file = _work.File("tiny.yaml", RunCommandTests.Tiny);
        var env = new Dictionary<string, string> { ["DIFFUSION_DB"] = WithPassword };
        Assert.Contains(Secret, WithPassword);

        var run = Cli.Run(_work.Path, env, "run", file, "--set", "stages.train.steps=2");
        Assert.True(run.ExitCode == 0, run.Stderr);
        string id = Regex.Match(run.Stdout, @"run ([0-9a-f]{6,}) started").Groups[1].Value;

        var list = Cli.Run(_work.Path, env, "runs", "list", "--json", "--filter", "status = 'COMPLETED' AND params.seed >= 0");
        Assert.True(list.ExitCode == 0, list.Stderr);
        Assert.Equal(id, Assert.Single(JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray()).GetProperty("id").GetString());

        var show = Cli.Run(_work.Path, env, "runs", "show", id[..6], "--json");
        Assert.True(show.ExitCode == 0, show.Stderr);
        var details = JsonDocument.Parse(show.Stdout).RootElement;
        Assert.Equal(Path.Combine(_work.Path, "runs"), details.GetProperty("artifact_root").GetString());
        Assert.Equal(Environment.MachineName, details.GetProperty("host").GetString());
        Assert.True(File.Exists(Path.Combine(details.GetProperty("artifact_folder").GetString()!, "pipeline.yaml")));

        var export = Cli.Run(_work.Path, env, "runs", "export", "--format", "json");
        Assert.True(export.ExitCode == 0, export.Stderr);
        Assert.Equal(Path.Combine(_work.Path, "runs", id), JsonDocument.Parse(export.Stdout).RootElement[0].GetProperty("artifact_folder").GetString());

        var tag = Cli.Run(_work.Path, env, "runs", "tag", id, "best=yes");
        var delete = Cli.Run(_work.Path, env, "runs", "delete", id);
        var hidden = Cli.Run(_work.Path, env, "runs", "list", "--json");
        var restore = Cli.Run(_work.Path, env, "runs", "restore", id);
        Assert.True(tag.ExitCode == 0 && delete.ExitCode == 0 && restore.ExitCode == 0, tag.Stderr + delete.Stderr + restore.Stderr);
        Assert.Empty(JsonDocument.Parse(hidden.Stdout).RootElement.EnumerateArray());

        var query = Cli.Run(_work.Path, env, "runs", "query", "SELECT key, value FROM tags WHERE key = 'best'", "--csv");
        Assert.True(query.ExitCode == 0, query.Stderr);
        Assert.Contains("best,yes", query.Stdout);
        var write = Cli.Run(_work.Path, env, "runs", "query", "SELECT 1; DELETE FROM runs");
        Assert.Equal(2, write.ExitCode);
        Assert.StartsWith("error: refused: runs query only reads", write.Stderr);
        Assert.Equal(1L, Server.Rows("SELECT count(*) FROM runs")[0][0]);

        // The password is in no output, no stored value and no file of the run.
        foreach (var result in new[] { run, list, show, export, tag, delete, hidden, restore, query, write })
            Assert.DoesNotContain(Secret, result.Stdout + result.Stderr);
        Assert.Equal(0L, Server.Rows(
            $"""
            SELECT (SELECT count(*) FROM params WHERE value_text LIKE '%{Secret}%') + (SELECT count(*) FROM tags WHERE value LIKE '%{Secret}%')
                 + (SELECT count(*) FROM runs WHERE pipeline_text LIKE '%{Secret}%' OR pipeline_path LIKE '%{Secret}%' OR coalesce(message, '') LIKE '%{Secret}%')
            """)[0][0]);
        foreach (var path in Directory.EnumerateFiles(_work.Path, "*", SearchOption.AllDirectories).Where(p => new FileInfo(p).Length < 1_000_000))
            Assert.DoesNotContain(Secret, File.ReadAllText(path));
    }

    [PostgresFact]
    public void MigrateCopiesALocalDatabaseOnceAndSaysTheChecksumsAreEqual()
    {
        string file = _work.File("tiny.yaml", RunCommandTests.Tiny);
        var run = Cli.Run(_work.Path, "run", file, "--set", "stages.train.steps=2");
        Assert.True(run.ExitCode == 0, run.Stderr);

        var first = Cli.Run(_work.Path, "runs", "migrate", "--to", WithPassword);
        var second = Cli.Run(_work.Path, "runs", "migrate", "--to", WithPassword);

        Assert.True(first.ExitCode == 0, first.Stdout + first.Stderr);
        Assert.Contains("1 run copied", first.Stdout);
        Assert.Contains("checksums equal for all 1 runs", first.Stdout);
        Assert.True(second.ExitCode == 0, second.Stdout + second.Stderr);
        Assert.Contains("0 runs copied (0 metric rows), 1 already there", second.Stdout);
        Assert.DoesNotContain(Secret, first.Stdout + first.Stderr + second.Stdout + second.Stderr);
        var list = Cli.Run(_work.Path, "runs", "list", "--json", "--db", Server.Uri);
        Assert.Single(JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray());
    }

    [PostgresFact]
    public void FailFastAndResumeWorkOnPostgres()
    {
        string file = _work.File("failing.yaml", SweepTests.Base + """
            sweep:
              method: grid
              objective: train/loss
              parameters:
                components.data.dataset: [fashion-mnist, shapes]
            """);
        var env = new Dictionary<string, string> { ["DIFFUSION_DB"] = WithPassword };

        var stopped = Cli.Run(_work.Path, env, "sweep", file, "--set", "components.data.path=.", "--fail-fast", "--workers", "2");

        Assert.True(stopped.ExitCode == 1, stopped.Stdout + stopped.Stderr);
        string id = Regex.Match(stopped.Stdout, @"sweep ([0-9a-f]{10}) started").Groups[1].Value;
        Assert.Contains("stopped by --fail-fast: trial 0 failed", stopped.Stderr);
        Assert.Equal("FAILED", Server.Rows($"SELECT state FROM sweep_trials WHERE sweep_id = '{id}' AND number = 0")[0][0]);

        var resumed = Cli.Run(_work.Path, env, "sweep", "--resume", id[..6], "--workers", "2");

        Assert.True(resumed.ExitCode == 0, resumed.Stdout + resumed.Stderr);
        Assert.Equal(["FAILED", "COMPLETED"], Server.Rows($"SELECT state FROM sweep_trials WHERE sweep_id = '{id}' ORDER BY number").Select(r => (string)r[0]!));
        Assert.Equal("COMPLETED", Server.Rows($"SELECT status FROM runs WHERE id = '{id}'")[0][0]);
        // The workers' logs and the parent's saved pipeline hold no password.
        foreach (var log in Directory.EnumerateFiles(Path.Combine(_work.Path, "runs", id), "*.log"))
            Assert.DoesNotContain(Secret, File.ReadAllText(log));
        Assert.DoesNotContain(Secret, stopped.Stdout + stopped.Stderr + resumed.Stdout + resumed.Stderr);
    }

    [PostgresFact]
    public void AWrongDatabaseIsAOneLineErrorThatSaysWhatToFixWithoutThePassword()
    {
        string uri = Regex.Replace(WithPassword, @"/[^/?]+\?", "/no_such_database_here?");

        var list = Cli.Run(_work.Path, "runs", "list", "--db", uri);

        Assert.Equal(2, list.ExitCode);
        Assert.StartsWith("error: the PostgreSQL server has no database 'no_such_database_here'", list.Stderr);
        Assert.Contains("createdb", list.Stderr);
        Assert.DoesNotContain(Secret, list.Stderr);
        Assert.DoesNotContain("   at ", list.Stderr);
    }

    /// <summary>
    /// Two machines on one server: host-a starts the sweep with one worker, host-b joins with two; one of host-b's
    /// workers is killed (-9) in the middle of a trial, and its trial is run again; the dead run is recorded KILLED.
    /// </summary>
    [PostgresFact]
    public async Task ASweepOverTwoHostsSurvivesAWorkerKilledMidTrialWhoseTrialRunsAgain()
    {
        string file = _work.File("sweep.yaml", SweepTests.Base.Replace("steps: 2,", "steps: 12,") + """
            sweep:
              method: grid
              objective: train/loss
              parameters:
                stages.train.lr: [0.001, 0.002, 0.003, 0.004]
            """);
        string hostB = Path.Combine(_work.Path, "host-b");
        Directory.CreateDirectory(hostB);
        var a = new Dictionary<string, string> { ["DIFFUSION_HOST_NAME"] = "host-a" };
        var b = new Dictionary<string, string> { ["DIFFUSION_HOST_NAME"] = "host-b" };

        using var sweep = Cli.Start(_work.Path, a, "sweep", file, "--db", Server.Uri, "--workers", "1", "--stale-after", "3");
        using var reapSweep = Cli.KillOnDispose(sweep);
        var sweepOut = sweep.StandardOutput.ReadToEndAsync();
        var sweepErr = sweep.StandardError.ReadToEndAsync();
        string id = await Poll(() => Server.Rows("SELECT run_id FROM sweeps").Select(r => (string)r[0]!).FirstOrDefault());

        using var join = Cli.Start(hostB, b, "sweep", "join", id[..6], "--db", Server.Uri, "--workers", "2");
        using var reapJoin = Cli.KillOnDispose(join);
        var joinOut = join.StandardOutput.ReadToEndAsync();
        var joinErr = join.StandardError.ReadToEndAsync();

        var victim = await Poll(() => Server.Rows("SELECT number, worker, run_id FROM sweep_trials WHERE state = 'RUNNING' AND run_id IS NOT NULL AND worker LIKE 'host-b:%'")
            .Select(r => (Number: (int)r[0]!, Pid: int.Parse(((string)r[1]!).Split(':')[1]), Run: (string)r[2]!)).Cast<(int Number, int Pid, string Run)?>().FirstOrDefault()) ?? throw new TimeoutException("no host-b trial");
        Process.GetProcessById(victim.Pid).Kill();

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await sweep.WaitForExitAsync(timeout.Token);
        await join.WaitForExitAsync(timeout.Token);
        Assert.True(sweep.ExitCode == 0, await sweepOut + await sweepErr);
        Assert.True(join.ExitCode == 0, await joinOut + await joinErr);

        var trials = Server.Rows("SELECT number, state, attempts, worker FROM sweep_trials ORDER BY number");
        Assert.Equal(4, trials.Count);
        Assert.All(trials, t => Assert.Equal("COMPLETED", t[1]));
        Assert.Equal(2, trials.Single(t => (int)t[0]! == victim.Number)[2]);
        var hosts = Server.Rows("SELECT DISTINCT host FROM runs WHERE parent_run_id IS NOT NULL").Select(r => (string)r[0]!).Order().ToList();
        Assert.Equal(["host-a", "host-b"], hosts);
        Assert.Contains($"joined sweep {id}", await joinOut);

        // The dead worker's run ends KILLED: host-b's other worker sees its pid gone (same host); any other machine would
        // from its heartbeat once 30 s old (StaleRunTests check that path on both backends with short intervals).
        string status = await Poll(() =>
        {
            var show = Cli.Run(_work.Path, "runs", "show", victim.Run, "--json", "--db", Server.Uri);
            var value = JsonDocument.Parse(show.Stdout).RootElement.GetProperty("status").GetString();
            return value == "KILLED" ? value : null;
        }, TimeSpan.FromSeconds(90));
        Assert.Equal("KILLED", status);
    }

    private static async Task<T> Poll<T>(Func<T?> probe, TimeSpan? patience = null)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < (patience ?? TimeSpan.FromMinutes(2)))
        {
            try
            {
                if (probe() is { } value) return value;
            }
            catch (Npgsql.PostgresException)
            {
                // The schema may not be there yet.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("condition not met in time");
    }
}
