using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Diffusion.Cli.Tests;

public class RunCommandTests
{
    internal static string Tiny { get; } = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Shared", "tiny.yaml"));

    [Fact]
    public void RunPrintsTheRunIdAndFolderAndRunsListAndShowFindIt()
    {
        using var work = new WorkDir();
        string file = work.File("tiny.yaml", Tiny);

        var run = Cli.Run(work.Path, "run", file);

        Assert.True(run.ExitCode == 0, run.Stderr);
        string id = Regex.Match(run.Stdout, @"run ([0-9a-f]{6,}) started").Groups[1].Value;
        Assert.Contains($"artifacts: {Path.Combine("runs", id)}", run.Stdout);
        Assert.True(File.Exists(Path.Combine(work.Path, "runs", "tracking.db")), "the database goes under the working directory by default");
        Assert.True(File.Exists(Path.Combine(work.Path, "runs", id, "sample.png")));

        var list = Cli.Run(work.Path, "runs", "list", "--json");
        using var listJson = JsonDocument.Parse(list.Stdout);
        var entry = listJson.RootElement.EnumerateArray().Single();
        Assert.Equal(id, entry.GetProperty("id").GetString());
        Assert.Equal("tiny", entry.GetProperty("name").GetString());
        Assert.Equal("COMPLETED", entry.GetProperty("status").GetString());

        var show = Cli.Run(work.Path, "runs", "show", id[..6], "--json");
        Assert.Equal(0, show.ExitCode);
        using var showJson = JsonDocument.Parse(show.Stdout);
        Assert.Equal(6, showJson.RootElement.GetProperty("metrics").GetProperty("train/loss").GetProperty("count").GetInt32());
        Assert.Equal(6, showJson.RootElement.GetProperty("params").GetProperty("stages.train.steps").GetInt32());

        var text = Cli.Run(work.Path, "runs", "show", id);
        Assert.Contains("train/loss", text.Stdout);
        Assert.Contains("sample.png", text.Stdout);
        // Params read as they were written in YAML: booleans in lower case, as a user would type them in --set.
        Assert.Contains("components.noise.clip_sample = true", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void DbOptionAndEnvironmentVariableChooseTheDatabase()
    {
        using var work = new WorkDir();
        string file = work.File("tiny.yaml", Tiny);
        string db = Path.Combine(work.Path, "elsewhere", "t.db");

        var run = Cli.Run(work.Path, new Dictionary<string, string> { ["DIFFUSION_DB"] = db }, "run", file, "--set", "stages.train.steps=2");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.True(File.Exists(db));
        Assert.False(Directory.Exists(Path.Combine(work.Path, "runs")));
        var list = Cli.Run(work.Path, "runs", "list", "--db", db, "--json");
        Assert.Single(JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray());
    }

    [Fact]
    public void AFailedRunExitsWith1AndSaysWhyWithoutAStackTrace()
    {
        using var work = new WorkDir();
        string file = work.File("tiny.yaml", Tiny);

        var run = Cli.Run(work.Path, "run", file, "--set", "components.data.dataset=fashion-mnist", "--set", "components.data.path=.");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("FAILED", run.Stderr);
        Assert.Contains("dataset-fashion-mnist", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
    }

    [Fact]
    public void SigtermMarksTheRunKilledAndExitsWith130()
    {
        using var work = new WorkDir();
        string file = work.File("long.yaml", Tiny);
        using var process = Cli.Start(work.Path, null, "run", file, "--set", "stages.train.steps=100000");
        using var reaper = Cli.KillOnDispose(process);
        string id = Regex.Match(process.StandardOutput.ReadLine() ?? "", @"run ([0-9a-f]+) started").Groups[1].Value;
        Assert.NotEmpty(id);
        Thread.Sleep(3000); // into the training loop

        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", process.Id.ToString()])) kill.WaitForExit();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "the run should stop soon after SIGTERM");

        Assert.Equal(130, process.ExitCode);
        Assert.Contains("--resume " + id, process.StandardError.ReadToEnd());
        var entry = JsonDocument.Parse(Cli.Run(work.Path, "runs", "list", "--json").Stdout).RootElement.EnumerateArray().Single();
        Assert.Equal("KILLED", entry.GetProperty("status").GetString());
        Assert.Contains("interrupted", entry.GetProperty("message").GetString());
    }

    [Fact]
    public void AProcessKilledMidRunLeavesAHealthyDatabaseAKilledRunAndCanBeResumed()
    {
        using var work = new WorkDir();
        string file = work.File("long.yaml", Tiny);
        using var process = Cli.Start(work.Path, null, "run", file, "--set", "stages.train.steps=100000", "--set", "stages.train.checkpoint_every=20");
        using var reaper = Cli.KillOnDispose(process);
        string id = Regex.Match(process.StandardOutput.ReadLine() ?? "", @"run ([0-9a-f]+) started").Groups[1].Value;
        Assert.NotEmpty(id);
        string checkpoints = Path.Combine(work.Path, "runs", id, "checkpoints", "train");
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (!(Directory.Exists(checkpoints) && Directory.EnumerateFiles(checkpoints, "trainer.safetensors", SearchOption.AllDirectories).Any()) && DateTime.UtcNow < deadline)
            Thread.Sleep(200);
        string db = Path.Combine(work.Path, "runs", "tracking.db");
        long LossRows()
        {
            using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var count = connection.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM metrics WHERE run_id = '{id}' AND key = 'train/loss'";
            return (long)count.ExecuteScalar()!;
        }
        long before;
        while ((before = LossRows()) < 20 && DateTime.UtcNow < deadline) Thread.Sleep(200);
        Assert.True(before >= 20, "the run should have logged metrics by now");

        process.Kill(); // SIGKILL: no chance to close the run
        process.WaitForExit();

        using (var connection = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            connection.Open();
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", check.ExecuteScalar());
        }
        Assert.True(LossRows() >= before, "metrics logged before the kill are kept");

        var list = Cli.Run(work.Path, "runs", "list", "--json");
        var entry = JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().Single();
        Assert.Equal("KILLED", entry.GetProperty("status").GetString());

        // The same pipeline with a shorter train stage: only a change of lengths, accepted when asked for.
        var refused = Cli.Run(work.Path, "run", file, "--resume", id, "--set", "stages.train.steps=45", "--set", "stages.train.checkpoint_every=20");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("only stage lengths changed: pass --accept-length-change", refused.Stderr);
        var resumed = Cli.Run(work.Path, "run", file, "--resume", id, "--set", "stages.train.steps=45", "--set", "stages.train.checkpoint_every=20", "--accept-length-change");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("resuming 'train' from step", resumed.Stderr);
        var after = JsonDocument.Parse(Cli.Run(work.Path, "runs", "list", "--json").Stdout).RootElement.EnumerateArray().Single();
        Assert.Equal("COMPLETED", after.GetProperty("status").GetString());
        Assert.Contains("resume.length_change = train: 100000 -> 45", Cli.Run(work.Path, "runs", "show", id).Stdout);
    }
}
