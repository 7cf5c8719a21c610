using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Diffusion.Cli.Tests.Distributed;

/// <summary>
/// Data-parallel training and sampling over MPI (docs/distributed.md), with real <c>mpiexec -n 2</c> processes of the
/// built CLI on tiny pipelines. One class, so its tests take turns on the machine's cores.
/// </summary>
public sealed partial class DataParallelTests
{
    private const string Yaml = """
        name: dp
        seed: 7
        device: cpu
        components:
          data: {plugin: image, dataset: shapes, image_size: 8, count: 64}
          model: MODEL
          noise: {plugin: ddpm, timesteps: 100}
        stages:
          - name: train
            type: train
            model: model
            data: data
            sampler: noise
            steps: 5
            batch_size: 8
            lr: 0.002
            ema_decay: 0.9
            checkpoint_every: 0
          - name: sample
            type: sample
            model: model
            sampler: noise
            count: 6
            steps: 4
        """;

    private static readonly Dictionary<string, string> Models = new()
    {
        ["unet2d"] = "{plugin: unet2d, base_channels: 8, channel_mults: [1, 2], res_blocks: 1, attention_resolutions: []}",
        ["dit"] = "{plugin: dit, patch_size: 2, hidden_size: 16, depth: 1, num_heads: 2}",
    };

    /// <summary>
    /// SGD with momentum, not AdamW: Adam divides each gradient by its own running magnitude, so a parameter whose exact
    /// gradient is zero (a conv bias right before GroupNorm, an attention key bias) takes full-size steps driven by
    /// float rounding, which differs with any change of summation order, one process or many (docs/distributed.md).
    /// </summary>
    [MpiTheory]
    [InlineData("unet2d")]
    [InlineData("dit")]
    public void TwoRanksAtBatchBEndWhereOneProcessAtBatch2BEnds(string denoiser)
    {
        using var work = new WorkDir();
        string file = work.File("dp.yaml", Yaml.Replace("MODEL", Models[denoiser]));
        var environment = Mpi.Environment(work.Path);

        string[] sgd = ["--set", "stages.train.optimizer=sgd", "--set", "stages.train.lr=0.05"];
        var single = Cli.Run(work.Path, environment, ["run", file, "--set", "stages.train.batch_size=8", .. sgd]);
        Assert.True(single.ExitCode == 0, single.Stderr);
        var parallel = Mpi.Exec(work.Path, environment, ["-n", "2", .. Mpi.Rank(["run", file, "--set", "stages.train.batch_size=4", .. sgd])]);
        Assert.True(parallel.ExitCode == 0, parallel.Stdout + parallel.Stderr);
        string one = RunId(single.Stdout), two = RunId(parallel.Stdout);

        foreach (string weights in new[] { "model.safetensors", "ema.safetensors" })
        {
            double relative = SafeTensorsFile.RelativeDifference(Checkpoint(work, one, 5, weights), Checkpoint(work, two, 5, weights));
            Assert.True(relative <= 1e-5, $"{denoiser} {weights}: relative difference {relative:E2} between 1 process at batch 8 and 2 ranks at batch 4");
        }
        var lossOne = Losses(work, one);
        var lossTwo = Losses(work, two);
        Assert.Equal(5, lossOne.Length);
        Assert.Equal(5, lossTwo.Length); // rank 0 alone logs, once per step
        for (int i = 0; i < lossOne.Length; i++)
            Assert.True(Math.Abs(lossOne[i] - lossTwo[i]) <= 1e-5 * Math.Abs(lossOne[i]), $"step {i + 1}: loss {lossOne[i]} vs {lossTwo[i]}");

        // Samples split over the ranks and gathered: every sample once, in order, as one process draws them.
        var samplesOne = SafeTensorsFile.ReadFloats(Path.Combine(work.Path, "runs", one, "sample.safetensors"))["samples"];
        var samplesTwo = SafeTensorsFile.ReadFloats(Path.Combine(work.Path, "runs", two, "sample.safetensors"))["samples"];
        Assert.Equal(samplesOne.Length, samplesTwo.Length);
        double largest = samplesOne.Zip(samplesTwo, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(largest < 1e-3, $"samples differ by up to {largest}");
    }

    [MpiFact]
    public void RanksHoldTheSameStateAndRankZeroAloneRecords()
    {
        using var work = new WorkDir();
        string file = work.File("dp.yaml", Yaml.Replace("MODEL", Models["unet2d"]));
        string dumps = Path.Combine(work.Path, "ranks");
        var environment = Mpi.Environment(work.Path, new Dictionary<string, string> { ["DIFFUSION_RANK_STATE_DIR"] = dumps });

        var parallel = Mpi.Exec(work.Path, environment,
            ["-n", "2", .. Mpi.Rank("run", file, "--set", "stages.train.batch_size=4", "--set", "stages.train.checkpoint_every=2")]);
        Assert.True(parallel.ExitCode == 0, parallel.Stdout + parallel.Stderr);
        string id = RunId(parallel.Stdout);

        // Weights, EMA, optimizer moments and trainer state of both ranks, byte for byte, at every checkpoint.
        foreach (int step in new[] { 2, 4, 5 })
        {
            string rank0 = Path.Combine(dumps, "rank-0", "checkpoints", "train", $"step-{step:D8}");
            string rank1 = Path.Combine(dumps, "rank-1", "checkpoints", "train", $"step-{step:D8}");
            foreach (string name in new[] { "model.safetensors", "ema.safetensors", "optimizer.bin", "trainer.safetensors" })
            {
                Assert.True(File.Exists(Path.Combine(rank1, name)), $"rank 1 wrote no {name} at step {step}");
                Assert.Equal(File.ReadAllBytes(Path.Combine(rank0, name)), File.ReadAllBytes(Path.Combine(rank1, name)));
                Assert.Equal(File.ReadAllBytes(Path.Combine(rank0, name)), File.ReadAllBytes(Checkpoint(work, id, step, name)));
            }
        }

        // One run in the database, recorded by rank 0 with the world size and the global batch.
        var list = Cli.Run(work.Path, environment, "runs", "list", "--json");
        using var listJson = JsonDocument.Parse(list.Stdout);
        Assert.Equal(id, Assert.Single(listJson.RootElement.EnumerateArray()).GetProperty("id").GetString());
        var show = Cli.Run(work.Path, environment, "runs", "show", id, "--json");
        using var showJson = JsonDocument.Parse(show.Stdout);
        var parameters = showJson.RootElement.GetProperty("params");
        Assert.Equal(2, parameters.GetProperty("distributed.world_size").GetInt32());
        Assert.Equal(8, parameters.GetProperty("train.global_batch").GetInt32());
        Assert.Equal(5, showJson.RootElement.GetProperty("metrics").GetProperty("train/loss").GetProperty("count").GetInt32());
        Assert.Single(Directory.GetDirectories(Path.Combine(work.Path, "runs"))); // no folder of rank 1's
        Assert.Equal(1L, Scalar(work, $"SELECT count(*) FROM artifacts WHERE run_id = '{id}' AND path = 'sample.safetensors'"));
    }

    [MpiFact]
    public void AKilledRankStopsEveryRankAndTheRunResumesOnAnotherWorldSize()
    {
        using var work = new WorkDir();
        string file = work.File("dp.yaml", Yaml.Replace("MODEL", Models["unet2d"]));
        string mark = Guid.NewGuid().ToString("N");
        var environment = Mpi.Environment(work.Path, new Dictionary<string, string> { ["DIFFUSION_TEST_MARK"] = mark });
        Mpi.RequireLauncher();

        using var launcher = Cli.Start(work.Path, environment, "run", file, "--nproc", "2",
            "--set", "stages.train.batch_size=4", "--set", "stages.train.steps=1000000", "--set", "stages.train.checkpoint_every=3");
        using var reaper = Cli.KillOnDispose(launcher);
        var stderr = launcher.StandardError.ReadToEndAsync();
        string id = RunId(launcher.StandardOutput.ReadLine() ?? "");
        var stdout = launcher.StandardOutput.ReadToEndAsync();
        string checkpoints = Path.Combine(work.Path, "runs", id, "checkpoints", "train");
        var wait = Stopwatch.StartNew();
        while (!(Directory.Exists(checkpoints) && Directory.GetDirectories(checkpoints).Any(d => File.Exists(Path.Combine(d, "trainer.safetensors")))))
        {
            Assert.True(wait.Elapsed < TimeSpan.FromMinutes(2), "no checkpoint within 2 minutes: " + (launcher.HasExited ? stderr.Result : ""));
            Thread.Sleep(200);
        }

        int rank1 = RankProcess(mark, 1);
        var stopping = Stopwatch.StartNew();
        Process.GetProcessById(rank1).Kill(); // SIGKILL: no handler runs in that rank
        Assert.True(launcher.WaitForExit(TimeSpan.FromSeconds(60)), "the ranks were still running 60 s after rank 1 was killed");
        Assert.NotEqual(0, launcher.ExitCode);
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(60));
        Assert.Equal(0, RankProcessOrZero(mark, 0)); // rank 0 is gone too
        Assert.Contains(Status(work, environment, id), new[] { "KILLED", "FAILED" });
        // mpiexec reports the dead process by pid and host; the run records which rank that was.
        var show = Cli.Run(work.Path, environment, "runs", "show", id, "--json");
        using (var json = JsonDocument.Parse(show.Stdout))
            Assert.Contains($"1={rank1}@", json.RootElement.GetProperty("tags").GetProperty("distributed.ranks").GetString());

        // Resume on one process at the same global batch: the optimizer state is global, so any world size continues it.
        long reached = Directory.GetDirectories(checkpoints).Where(d => File.Exists(Path.Combine(d, "trainer.safetensors")))
            .Max(d => long.Parse(Path.GetFileName(d)["step-".Length..]));
        var resumed = Cli.Run(work.Path, environment, "run", file, "--resume", id,
            "--set", "stages.train.batch_size=8", "--set", $"stages.train.steps={reached + 2}", "--set", "stages.train.checkpoint_every=3",
            "--accept-length-change"); // a shorter run; batch 8 on 1 rank is the same global batch as 4 on 2, not a change
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains($"from step {reached}", resumed.Stderr);
        Assert.Equal("COMPLETED", Status(work, environment, id));
        DeleteRankScratch(id);
        _ = stdout;
    }

    [MpiFact]
    public void ARankThatHangsIsCaughtByTheCollectiveTimeout()
    {
        using var work = new WorkDir();
        string file = work.File("dp.yaml", Yaml.Replace("MODEL", Models["unet2d"]));
        string mark = Guid.NewGuid().ToString("N");
        var environment = Mpi.Environment(work.Path, new Dictionary<string, string> { ["DIFFUSION_TEST_MARK"] = mark, ["DIFFUSION_MPI_TIMEOUT"] = "15" });
        Mpi.RequireLauncher();

        using var launcher = Cli.Start(work.Path, environment, "run", file, "--nproc", "2",
            "--set", "stages.train.batch_size=4", "--set", "stages.train.steps=1000000", "--set", "stages.train.checkpoint_every=0");
        using var reaper = Cli.KillOnDispose(launcher);
        var stderr = launcher.StandardError.ReadToEndAsync();
        string id = RunId(launcher.StandardOutput.ReadLine() ?? "");
        var stdout = launcher.StandardOutput.ReadToEndAsync();
        var wait = Stopwatch.StartNew();
        while (Losses(work, id).Length < 3)
        {
            Assert.True(wait.Elapsed < TimeSpan.FromMinutes(2), "no training steps within 2 minutes: " + (launcher.HasExited ? stderr.Result : ""));
            Thread.Sleep(200);
        }

        // SIGSTOP: rank 1 is alive (mpiexec sees nothing wrong) but never answers again.
        int rank1 = RankProcess(mark, 1);
        using (var stop = Process.Start("kill", ["-STOP", rank1.ToString(System.Globalization.CultureInfo.InvariantCulture)])) stop.WaitForExit();
        Assert.True(launcher.WaitForExit(TimeSpan.FromSeconds(60)), "the job was still running 60 s after rank 1 stopped answering");
        Assert.Equal(1, launcher.ExitCode);
        Assert.Contains("waited 15 s in all-reduce without an answer from the other ranks", stderr.Result);
        Assert.Equal("FAILED", Status(work, environment, id));
        DeleteRankScratch(id);
        _ = stdout;
    }

    [MpiFact]
    public void ARankThatFailsStopsEveryRankWithOneMessageNamingItAndTheRunResumes()
    {
        using var work = new WorkDir();
        string file = work.File("dp.yaml", Yaml.Replace("MODEL", Models["unet2d"]));
        var environment = Mpi.Environment(work.Path);
        var seed = Cli.Run(work.Path, environment, "run", file, "--set", "stages.train.steps=1");
        Assert.True(seed.ExitCode == 0, seed.Stderr);
        string weights = Checkpoint(work, RunId(seed.Stdout), 1, "model.safetensors");

        // Rank 1 alone is given a weights file that does not exist: it fails validation, rank 0 does not.
        string[] run = ["run", file, "--set", "stages.train.batch_size=4", "--set", "stages.train.init_from=${env:DP_INIT}"];
        var clock = Stopwatch.StartNew();
        var failed = Mpi.Exec(work.Path, environment,
            ["-n", "1", "-env", "DP_INIT", weights, .. Mpi.Rank(run), ":", "-n", "1", "-env", "DP_INIT", "/nonexistent/w.safetensors", .. Mpi.Rank(run)],
            TimeSpan.FromSeconds(90));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed.TotalSeconds:0} s");
        Assert.Equal(1, failed.ExitCode);
        string id = RunId(failed.Stdout);
        Assert.Single(Regex.Matches(failed.Stderr, "rank 1 failed: invalid input: [^\n]*init_from: the file '/nonexistent/w.safetensors' does not exist"));
        Assert.Equal("FAILED", Status(work, environment, id));

        var resumed = Cli.Run(work.Path, environment, "run", file, "--nproc", "2", "--resume", id,
            "--set", "stages.train.batch_size=4", "--set", $"stages.train.init_from={weights}");
        Assert.True(resumed.ExitCode == 0, resumed.Stdout + resumed.Stderr);
        Assert.Equal("COMPLETED", Status(work, environment, id));
        DeleteRankScratch(id);
    }

    /// <summary>Removes the scratch folders that ranks ended by MPI_Abort or a kill leave in the temp folder.</summary>
    private static void DeleteRankScratch(string id)
    {
        foreach (string folder in Directory.GetDirectories(Path.GetTempPath(), $"diffusion-{id}-rank*"))
            Directory.Delete(folder, recursive: true);
    }

    private static string RunId(string stdout) =>
        RunStarted().Match(stdout) is { Success: true } match ? match.Groups[1].Value : throw new Xunit.Sdk.XunitException($"no 'run ID started' in: {stdout}");

    [GeneratedRegex(@"run (\w+) started")]
    private static partial Regex RunStarted();

    private static string Checkpoint(WorkDir work, string id, int step, string name) =>
        Path.Combine(work.Path, "runs", id, "checkpoints", "train", $"step-{step:D8}", name);

    private static double[] Losses(WorkDir work, string id)
    {
        using var connection = Open(work);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM metrics WHERE run_id = $id AND key = 'train/loss' ORDER BY step";
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        var values = new List<double>();
        while (reader.Read()) values.Add(reader.GetDouble(0));
        return values.ToArray();
    }

    private static object? Scalar(WorkDir work, string sql)
    {
        using var connection = Open(work);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static SqliteConnection Open(WorkDir work)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(work.Path, "runs", "tracking.db"),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }

    private static string Status(WorkDir work, IDictionary<string, string> environment, string id)
    {
        var show = Cli.Run(work.Path, environment, "runs", "show", id, "--json");
        using var json = JsonDocument.Parse(show.Stdout);
        return json.RootElement.GetProperty("status").GetString()!;
    }

    /// <summary>The process of rank <paramref name="rank"/> of the job whose environment holds <paramref name="mark"/>.</summary>
    private static int RankProcess(string mark, int rank) =>
        RankProcessOrZero(mark, rank) is > 0 and var pid ? pid : throw new Xunit.Sdk.XunitException($"no process of rank {rank} found");

    private static int RankProcessOrZero(string mark, int rank)
    {
        foreach (string folder in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out int pid)) continue;
            string environ;
            try
            {
                environ = File.ReadAllText(Path.Combine(folder, "environ"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            var variables = environ.Split('\0');
            if (variables.Contains($"DIFFUSION_TEST_MARK={mark}") && variables.Contains($"PMI_RANK={rank}")) return pid;
        }
        return 0;
    }
}
