using System.Text.Json;
using System.Text.RegularExpressions;

namespace Diffusion.Cli.Tests;

/// <summary>Where runs are recorded (--db) and where their folders go (--artifacts).</summary>
public sealed class TrackingLocationTests : IDisposable
{

    private readonly WorkDir _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public void ArtifactsOptionPutsRunFoldersWhereAskedAndTheDatabaseStaysWhereItWas()
    {
        string file = _work.File("tiny.yaml", RunCommandTests.Tiny);

        var run = Cli.Run(_work.Path, "run", file, "--set", "stages.train.steps=2", "--artifacts", "out");

        Assert.True(run.ExitCode == 0, run.Stderr);
        string id = Regex.Match(run.Stdout, @"run ([0-9a-f]{6,}) started").Groups[1].Value;
        Assert.Contains($"artifacts: {Path.Combine("out", id)}", run.Stdout);
        Assert.True(File.Exists(Path.Combine(_work.Path, "out", id, "sample.png")));
        Assert.True(File.Exists(Path.Combine(_work.Path, "runs", "tracking.db")));
        Assert.False(Directory.Exists(Path.Combine(_work.Path, "runs", id)));

        var show = Cli.Run(_work.Path, "runs", "show", id, "--json", "--artifacts", "out");
        Assert.True(show.ExitCode == 0, show.Stderr);
        Assert.Equal(Path.Combine(_work.Path, "out", id), JsonDocument.Parse(show.Stdout).RootElement.GetProperty("artifact_folder").GetString());
    }

    [Fact]
    public void EnvironmentVariableChoosesTheArtifactRootAndTheOptionWins()
    {
        string file = _work.File("tiny.yaml", RunCommandTests.Tiny);
        string env = Path.Combine(_work.Path, "from-env");
        var environment = new Dictionary<string, string> { ["DIFFUSION_ARTIFACTS"] = env };

        var run = Cli.Run(_work.Path, environment, "run", file, "--set", "stages.train.steps=2");
        Assert.True(run.ExitCode == 0, run.Stderr);
        string id = Regex.Match(run.Stdout, @"run ([0-9a-f]{6,}) started").Groups[1].Value;
        Assert.True(File.Exists(Path.Combine(env, id, "sample.png")));

        var option = Cli.Run(_work.Path, environment, "run", file, "--set", "stages.train.steps=2", "--artifacts", "from-option");
        Assert.True(option.ExitCode == 0, option.Stderr);
        string second = Regex.Match(option.Stdout, @"run ([0-9a-f]{6,}) started").Groups[1].Value;
        Assert.True(File.Exists(Path.Combine(_work.Path, "from-option", second, "sample.png")));
    }

    /// <summary>Resuming finds the checkpoints under the root the run recorded, whether or not --artifacts names it again.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ResumeWithArtifactsFindsTheCheckpoints(bool nameTheRootAgain)
    {
        string file = _work.File("tiny.yaml", RunCommandTests.Tiny);
        var first = Cli.Run(_work.Path, "run", file, "--artifacts", "art");
        Assert.True(first.ExitCode == 0, first.Stderr);
        string id = Regex.Match(first.Stdout, @"run ([0-9a-f]{6,}) started").Groups[1].Value;
        Assert.True(Directory.Exists(Path.Combine(_work.Path, "art", id, "checkpoints", "train")));
        Assert.False(Directory.Exists(Path.Combine(_work.Path, "runs", id)));

        // As if it had been interrupted: a COMPLETED run is not resumed.
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_work.Path, "runs", "tracking.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"UPDATE runs SET status = 'KILLED' WHERE id = '{id}';";
            command.ExecuteNonQuery();
        }
        string[] root = nameTheRootAgain ? ["--artifacts", "art"] : [];
        var resumed = Cli.Run(_work.Path, ["run", file, "--resume", id, .. root, "--set", "stages.train.steps=9", "--accept-length-change"]);

        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("resuming 'train' from step", resumed.Stderr);
        Assert.Contains($"artifacts: {Path.Combine("art", id)}", resumed.Stdout);
        Assert.False(Directory.Exists(Path.Combine(_work.Path, "runs", id)));
    }

    [Fact]
    public void SweepWorkersPutTrialRunsAndLogsUnderTheArtifactRoot()
    {
        string file = _work.File("grid.yaml", SweepTests.Base + """
            sweep:
              method: grid
              objective: train/loss
              parameters:
                stages.train.lr: [0.001, 0.01]
            """);

        var sweep = Cli.Run(_work.Path, "sweep", file, "--artifacts", "art");

        Assert.True(sweep.ExitCode == 0, sweep.Stdout + sweep.Stderr);
        string id = Regex.Match(sweep.Stdout, @"sweep ([0-9a-f]{10}) started").Groups[1].Value;
        Assert.True(File.Exists(Path.Combine(_work.Path, "art", id, "worker-1.log")));
        var children = JsonDocument.Parse(Cli.Run(_work.Path, "runs", "list", "--parent", id, "--json").Stdout).RootElement.EnumerateArray()
            .Select(c => c.GetProperty("id").GetString()!).ToList();
        Assert.Equal(2, children.Count);
        Assert.All(children, c => Assert.True(File.Exists(Path.Combine(_work.Path, "art", c, "pipeline.yaml")), c));
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(_work.Path, "runs")));
    }

    [Theory]
    [InlineData("postgresql://tracker:hunter2@127.0.0.1:1/runs", "cannot reach the PostgreSQL server at postgresql://tracker@127.0.0.1:1/runs")]
    [InlineData("postgres://tracker:hunter2@127.0.0.1:notaport/runs", "cannot read the PostgreSQL URI")]
    public void AnUnreachableServerOrABadUriIsAOneLineUserErrorWithoutThePassword(string uri, string expected)
    {
        string file = _work.File("tiny.yaml", RunCommandTests.Tiny);

        var run = Cli.Run(_work.Path, "run", file, "--db", uri);
        var list = Cli.Run(_work.Path, new Dictionary<string, string> { ["DIFFUSION_DB"] = uri }, "runs", "list");
        var query = Cli.Run(_work.Path, "runs", "query", "SELECT 1;", "--db", uri);
        var sweep = Cli.Run(_work.Path, "sweep", "--resume", "abc", "--db", uri);

        foreach (var result in new[] { run, list, query, sweep })
        {
            Assert.Equal(2, result.ExitCode);
            Assert.StartsWith($"error: {expected}", result.Stderr);
            Assert.Single(result.Stderr.Trim().Split('\n'));
            Assert.DoesNotContain("hunter2", result.Stdout + result.Stderr);
        }
        Assert.False(Directory.Exists(Path.Combine(_work.Path, "runs")));
    }
}
