using System.Text;

namespace Diffusion.Cli.Tests;

/// <summary>
/// A new user's mistakes and a broken environment, through the real CLI: each ends in one <c>error:</c> line that
/// says what to do and exit 2, never a stack trace, and leaves nothing behind.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly RunsDatabase _db = new();
    private readonly string _run;

    public HostileInputTests() => _run = _db.Add("run", [("seed", 1)], [("train/loss", [1.0, 0.5])]);

    public void Dispose() => _db.Dispose();

    private static void AssertOneError(Cli.Result result, string expected)
    {
        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");
        Assert.DoesNotContain("Unhandled exception", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        // One error line: "error: ..." or, for a pipeline file, "FILE:LINE:COL: error: ...".
        Assert.Matches(@"^(\S+:\d+:\d+: )?error: ", result.Stderr);
        Assert.Contains(expected, result.Stderr);
    }

    public static TheoryData<string[]> EmptyIds() => new()
    {
        new[] { "runs", "show", "" },
        new[] { "runs", "compare", "", "x" },
        new[] { "runs", "plot", "", "--metric", "train/loss", "--out", "p.png" },
        new[] { "runs", "tag", "", "a=b" },
        new[] { "runs", "delete", "" },
        new[] { "runs", "restore", " " },
        new[] { "export", "", "--out", "m.safetensors" },
        new[] { "run", "p.yaml", "--resume", "" },
        new[] { "sweep", "--resume", "  " },
    };

    [Theory]
    [MemberData(nameof(EmptyIds))]
    public void An_empty_or_blank_id_is_a_usage_error(string[] args) =>
        AssertOneError(_db.Run(args), "an id cannot be empty");

    [Theory]
    [InlineData("/sys/x.safetensors", "on a system file system (sys)")]
    [InlineData("/proc/version", "on a system file system (proc)")]
    [InlineData("", "--out is empty")]
    [InlineData(".", "is a directory; name a file inside it")]
    public void Export_to_a_place_that_cannot_hold_a_file_is_refused_before_anything_is_written(string output, string expected)
    {
        var before = Directory.GetFiles(_db.Work.Path, "*", SearchOption.AllDirectories).Order().ToList();
        AssertOneError(_db.Run("export", _run, "--out", output), expected);
        Assert.Equal(before, Directory.GetFiles(_db.Work.Path, "*", SearchOption.AllDirectories).Order());
    }

    [Theory]
    [InlineData("adapter.safetensors:heavy", "give FILE or FILE:WEIGHT with a number as WEIGHT")]
    [InlineData("missing.safetensors", "missing.safetensors does not exist")]
    public void A_LoRA_adapter_export_cannot_merge_is_one_error_line(string lora, string expected) =>
        AssertOneError(_db.Run("export", _run, "--out", Path.Combine(_db.Work.Path, "m.safetensors"), "--lora", lora), expected);

    public static TheoryData<string, string> BrokenDatabases() => new()
    {
        { "half", "is damaged" },
        { "random", "not a tracking database" },
        { "header", "not a tracking database" },
        { "text", "not a tracking database" },
        { "foreign", "not a tracking database" },
        { "newer", "has schema version 99" },
        { "directory", "is a directory; name a database file" },
    };

    [Theory]
    [MemberData(nameof(BrokenDatabases))]
    public void A_broken_or_foreign_database_is_named_with_what_to_do(string kind, string expected)
    {
        string path = Path.Combine(_db.Work.Path, kind + ".db");
        byte[] good = File.ReadAllBytes(_db.Path);
        switch (kind)
        {
            case "half":
                _db.Execute("PRAGMA wal_checkpoint(TRUNCATE);");
                good = File.ReadAllBytes(_db.Path);
                File.WriteAllBytes(path, good[..(good.Length / 2)]);
                break;
            case "random":
                File.WriteAllBytes(path, Enumerable.Range(0, 65536).Select(i => (byte)(i * 7919 % 251)).ToArray());
                break;
            case "header":
                Encoding.ASCII.GetBytes("not the header!!").CopyTo(good, 0);
                File.WriteAllBytes(path, good);
                break;
            case "text":
                File.WriteAllText(path, "hello\n");
                break;
            case "foreign":
            case "newer":
                using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
                {
                    connection.Open();
                    using var command = connection.CreateCommand();
                    command.CommandText = kind == "foreign"
                        ? "CREATE TABLE users (name TEXT);"
                        : "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT, applied INTEGER); INSERT INTO schema_version VALUES (99, 'future', 0);";
                    command.ExecuteNonQuery();
                }
                break;
            case "directory":
                Directory.CreateDirectory(path);
                break;
        }
        byte[]? contents = File.Exists(path) ? File.ReadAllBytes(path) : null;
        string pipeline = _db.Work.File("p.yaml", "stages: [{name: p, type: postprocess, processors: [c]}]\ncomponents: {c: {plugin: clamp}}\n");

        foreach (var args in new[] { new[] { "runs", "list" }, new[] { "runs", "show", "abc" }, new[] { "run", pipeline } })
            AssertOneError(_db.Run([.. args, "--db", path]), expected);
        // Nothing is written into a file that is not ours.
        if (contents is not null)
            Assert.Equal(contents, File.ReadAllBytes(path));
    }

    [Fact]
    public void An_empty_query_is_a_usage_error() => AssertOneError(_db.Run("runs", "query", " "), "the query is empty");

    [Fact]
    public void Attach_through_runs_query_is_refused() =>
        AssertOneError(_db.Run("runs", "query", $"ATTACH '{_db.Path}' AS other; SELECT * FROM other.runs;"), "attaches another database file");

    [Fact]
    public void An_empty_pipeline_is_refused_and_records_no_run()
    {
        string empty = _db.Work.File("empty.yaml", "# nothing here yet\n");
        var before = _db.Scalar("SELECT count(*) FROM runs");
        AssertOneError(_db.Run("validate", empty), "the pipeline is empty");
        AssertOneError(_db.Run("run", empty), "the pipeline is empty");
        Assert.Equal(before, _db.Scalar("SELECT count(*) FROM runs"));
    }

    [Fact]
    public void Validate_checks_that_named_files_and_folders_exist()
    {
        string notFolder = _db.Work.File("images.txt", "not a folder\n");
        string pipeline = _db.Work.File("paths.yaml", $$"""
            components:
              data: { plugin: image, dataset: image-folder, path: missing-images, image_size: 8, channels: 3 }
              other: { plugin: image, dataset: image-folder, path: {{notFolder}}, image_size: 8, channels: 3 }
              model: { plugin: mlp }
              noise: { plugin: ddpm }
            stages:
              - { name: train, type: train, model: model, data: data, sampler: noise, steps: 1, init_from: weights/none.safetensors }
            """);

        var result = _db.Run("validate", pipeline);

        Assert.Equal(2, result.ExitCode);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.Contains("paths.yaml:2:55: error: path: the folder 'missing-images'", result.Stderr);
        Assert.Contains($"paths.yaml:3:56: error: path: '{notFolder}' is a file; name the folder", result.Stderr);
        Assert.Contains("paths.yaml:7:96: error: init_from: the file 'weights/none.safetensors'", result.Stderr);
        Assert.Contains("does not exist (relative to the working directory", result.Stderr);
    }

    [Fact]
    public void An_alias_bomb_is_refused_at_once()
    {
        var text = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int level = 1; level <= 9; level++)
            text.Append($"a{level}: &a{level} [{string.Join(", ", Enumerable.Repeat($"*a{level - 1}", 10))}]\n");
        string bomb = _db.Work.File("bomb.yaml", text.ToString());
        AssertOneError(_db.Run("validate", bomb), "expands the file past 100,000 values");
    }
}

/// <summary><c>--resume</c> continues an unfinished run with its own pipeline, and nothing else.</summary>
public sealed class StrictResumeTests : IDisposable
{
    private readonly WorkDir _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public void A_completed_run_or_a_changed_pipeline_is_refused_with_the_difference()
    {
        string file = _work.File("tiny.yaml", RunCommandTests.Tiny);
        var first = Cli.Run(_work.Path, "run", file, "--set", "stages.train.steps=2");
        Assert.True(first.ExitCode == 0, first.Stderr);
        string id = System.Text.RegularExpressions.Regex.Match(first.Stdout, @"run ([0-9a-f]{6,}) started").Groups[1].Value;
        string db = Path.Combine(_work.Path, "runs", "tracking.db");
        string Metrics() => Cli.Run(_work.Path, "runs", "query", $"SELECT key, step, value FROM metrics WHERE run_id = '{id}' ORDER BY key, step", "--csv").Stdout;
        string before = Metrics();

        var completed = Cli.Run(_work.Path, "run", file, "--set", "stages.train.steps=2", "--resume", id);
        Assert.Equal(2, completed.ExitCode);
        Assert.StartsWith($"error: run {id} is COMPLETED: there is nothing to resume", completed.Stderr);

        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"UPDATE runs SET status = 'KILLED' WHERE id = '{id}';";
            command.ExecuteNonQuery();
        }
        var changed = Cli.Run(_work.Path, "run", file, "--set", "stages.train.steps=2", "--set", "seed=7", "--resume", id);
        Assert.Equal(2, changed.ExitCode);
        Assert.Contains($"error: the pipeline differs from the one run {id} was started with; resume it with the same file and the same --set values", changed.Stderr);
        Assert.Contains("  - seed: ", changed.Stderr);
        Assert.Contains("  + seed: 7", changed.Stderr);
        Assert.DoesNotContain("   at ", changed.Stderr);
        // Refusing changed nothing that was recorded.
        Assert.Equal(before, Metrics());
        Assert.Contains("KILLED", Cli.Run(_work.Path, "runs", "show", id).Stdout);
    }
}

/// <summary>A chart says what it could not draw.</summary>
public sealed class PlotNonFiniteTests : IDisposable
{
    private readonly RunsDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public void Points_that_are_not_finite_are_counted_not_dropped_silently()
    {
        string id = _db.Add("nan", [], [("train/loss", [1.0, double.PositiveInfinity, 0.5, 0.25])]);

        var plot = _db.Run("runs", "plot", id, "--metric", "train/loss", "--out", "loss.png");

        Assert.True(plot.ExitCode == 0, plot.Stderr);
        Assert.Contains("(1 run, 3 points)", plot.Stdout);
        Assert.Contains("warning: 1 point of 'train/loss' not drawn: not finite (NaN or infinity)", plot.Stderr);
    }
}

/// <summary>runs compare marks the best run by the metric's direction, not always the lowest value.</summary>
public sealed class CompareDirectionTests : IDisposable
{
    private readonly RunsDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public void Throughput_and_accuracy_are_best_high_losses_low()
    {
        string slow = _db.Add("slow", [("seed", 1)], [("train/steps_per_second", [10.0]), ("eval/accuracy", [0.6]), ("train/loss", [0.2])]);
        string fast = _db.Add("fast", [("seed", 2)], [("train/steps_per_second", [30.0]), ("eval/accuracy", [0.9]), ("train/loss", [0.4])]);

        var metrics = BestRuns(slow, fast);
        Assert.Equal(fast, metrics["train/steps_per_second"]);
        Assert.Equal(fast, metrics["eval/accuracy"]);
        Assert.Equal(slow, metrics["train/loss"]);
    }

    [Fact]
    public void What_a_plugin_declares_wins_over_the_name()
    {
        // distinct_2 (the text modality's diversity) reads like a distance by name, but the plugin declares it maximized;
        // copied_fraction stays minimized.
        string dull = _db.Add("dull", [("seed", 1)], [("eval/distinct_2", [0.2]), ("eval/copied_fraction", [0.1])]);
        string varied = _db.Add("varied", [("seed", 2)], [("eval/distinct_2", [0.7]), ("eval/copied_fraction", [0.3])]);

        var metrics = BestRuns(dull, varied);
        Assert.Equal(varied, metrics["eval/distinct_2"]);
        Assert.Equal(dull, metrics["eval/copied_fraction"]);
    }

    /// <summary>Metric key to the id of the run <c>runs compare --json</c> marks best.</summary>
    private Dictionary<string, string?> BestRuns(params string[] ids)
    {
        var json = _db.Run(["runs", "compare", .. ids, "--json"]);
        Assert.True(json.ExitCode == 0, json.Stderr);
        return System.Text.Json.JsonDocument.Parse(json.Stdout).RootElement.GetProperty("metrics").EnumerateObject()
            .ToDictionary(m => m.Name, m => m.Value.GetProperty("best_run").GetString());
    }
}
