using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Diffusion.Cli.Tests;

/// <summary><c>diffusion doctor</c>, the kernel guard's modes, and training on the forced fallback (issue 15).</summary>
public class DoctorCommandTests
{
    /// <summary>A private kernel cache, and the mode set explicitly (a suite run with DIFFUSION_KERNELS=fallback must not leak into "auto").</summary>
    private static Dictionary<string, string> Environment(WorkDir work, string mode = "auto") => new()
    {
        ["DIFFUSION_CACHE_DIR"] = Path.Combine(work.Path, "cache"),
        ["DIFFUSION_KERNELS"] = mode,
    };

    [Fact]
    public void Doctor_reports_the_libraries_and_the_self_check_and_caches_the_decision()
    {
        using var work = new WorkDir();

        var first = Cli.Run(work.Path, Environment(work), "doctor", "--json");
        var again = Cli.Run(work.Path, Environment(work), "doctor", "--json");

        Assert.True(first.ExitCode == 0, first.Stderr);
        var report = JsonDocument.Parse(first.Stdout).RootElement;
        Assert.Equal("2.10.0", report.GetProperty("libtorch").GetString());
        Assert.Contains("v3.", report.GetProperty("one_dnn").GetString());
        Assert.Equal("checked", report.GetProperty("kernel_decided").GetString());
        var checks = report.GetProperty("default_check").EnumerateArray().ToList();
        Assert.Contains(checks, c => c.GetProperty("name").GetString()!.StartsWith("conv2d 3x3", StringComparison.Ordinal));
        Assert.Contains(checks, c => c.GetProperty("name").GetString()!.StartsWith("attention", StringComparison.Ordinal));
        Assert.True(File.Exists(report.GetProperty("cache_file").GetString()));
        var path = report.GetProperty("kernel_path").GetString();
        Assert.Equal(path == "default", checks.All(c => c.GetProperty("passed").GetBoolean()));

        Assert.True(again.ExitCode == 0, again.Stderr);
        var cached = JsonDocument.Parse(again.Stdout).RootElement;
        Assert.Equal("cached", cached.GetProperty("kernel_decided").GetString());
        Assert.Equal(path, cached.GetProperty("kernel_path").GetString());
    }

    [Fact]
    public void Doctor_text_names_the_path_and_every_kernel()
    {
        using var work = new WorkDir();

        var result = Cli.Run(work.Path, Environment(work, "fallback"), "doctor", "--recheck");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("kernel path       fallback (forced by DIFFUSION_KERNELS=fallback)", result.Stdout);
        Assert.Contains("self-check (fallback): passed", result.Stdout);
        Assert.Contains("conv_transpose2d", result.Stdout);
        Assert.Contains("group_norm", result.Stdout);
    }

    [Fact]
    public void An_unknown_kernel_mode_is_a_clear_error_for_doctor_and_for_a_run()
    {
        using var work = new WorkDir();

        var doctor = Cli.Run(work.Path, Environment(work, "fast"), "doctor");
        var run = Cli.Run(work.Path, Environment(work, "fast"), "run", Path.Combine(Cli.RepoRoot, "pipelines", "quickstart.yaml"),
            "--set", "stages.train.steps=2", "--set", "components.data.count=32");

        Assert.Equal(2, doctor.ExitCode);
        Assert.Contains("error: DIFFUSION_KERNELS=fast is not a kernel mode: use auto", doctor.Stderr);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error: DIFFUSION_KERNELS=fast is not a kernel mode", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.False(Directory.Exists(Path.Combine(work.Path, "runs")), "a user's mistake is refused before a run is recorded");
    }

    [Fact]
    public void The_forced_fallback_trains_the_quickstart_model_to_a_falling_loss_and_the_run_records_it()
    {
        using var work = new WorkDir();

        var result = Cli.Run(work.Path, Environment(work, "fallback"), "run", Path.Combine(Cli.RepoRoot, "pipelines", "quickstart.yaml"),
            "--set", "stages.train.steps=30", "--set", "stages.train.batch_size=8", "--set", "stages.train.warmup_steps=5",
            "--set", "stages.train.checkpoint_every=0", "--set", "components.data.count=256",
            "--set", "stages.sample.count=2", "--set", "stages.sample.steps=2",
            "--set", "stages.evaluate.loss_items=4", "--set", "stages.evaluate.loss_timesteps=1");

        Assert.True(result.ExitCode == 0, result.Stderr);
        string id = Regex.Match(result.Stdout, @"run ([0-9a-f]+) COMPLETED").Groups[1].Value;
        var show = JsonDocument.Parse(Cli.Run(work.Path, "runs", "show", "--json", id).Stdout).RootElement.GetProperty("params");
        Assert.Equal("fallback", show.GetProperty("kernels.path").GetString());
        Assert.StartsWith("forced by DIFFUSION_KERNELS", show.GetProperty("kernels.decided").GetString());

        var losses = Losses(Path.Combine(work.Path, "runs", "tracking.db"), id);
        Assert.Equal(30, losses.Count);
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        Assert.True(losses.TakeLast(5).Average() < 0.7 * losses.Take(5).Average(),
            $"loss should fall: first {string.Join(", ", losses.Take(5))}, last {string.Join(", ", losses.TakeLast(5))}");
    }

    private static List<double> Losses(string database, string runId)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM metrics WHERE run_id = @id AND key = 'train/loss' ORDER BY step";
        command.Parameters.AddWithValue("@id", runId);
        using var reader = command.ExecuteReader();
        var values = new List<double>();
        while (reader.Read()) values.Add(reader.GetDouble(0));
        return values;
    }
}
