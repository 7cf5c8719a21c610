using System.Text.Json;
using System.Text.RegularExpressions;

namespace Diffusion.Cli.Tests;

/// <summary>
/// What the host sets up before libtorch loads and for each run (issue 24): libtorch's thread count and where it came
/// from, glibc's allocator thresholds, and how idle OpenMP threads wait; each recorded with the run so a slow run can be
/// explained afterwards.
/// </summary>
public class HostSetupTests
{
    private static readonly Dictionary<string, string> Clean = new()
    {
        ["OMP_NUM_THREADS"] = "",
        ["OMP_WAIT_POLICY"] = "",
        ["GOMP_SPINCOUNT"] = "",
        ["GLIBC_TUNABLES"] = "",
        ["DIFFUSION_MALLOC"] = "",
        ["DIFFUSION_OMP_WAIT"] = "",
    };

    private static (JsonElement Params, JsonElement Tags) RunTiny(WorkDir work, IDictionary<string, string> environment, params string[] extra)
    {
        string file = work.File("tiny.yaml", RunCommandTests.Tiny);
        var run = Cli.Run(work.Path, environment, ["run", file, "--set", "stages.train.steps=1", .. extra]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        string id = Regex.Match(run.Stdout, @"run ([0-9a-f]{6,}) started").Groups[1].Value;
        var show = Cli.Run(work.Path, "runs", "show", id, "--json");
        var root = JsonDocument.Parse(show.Stdout).RootElement;
        return (root.GetProperty("params").Clone(), root.GetProperty("tags").Clone());
    }

    private static Dictionary<string, string> With(params (string Key, string Value)[] values)
    {
        var environment = new Dictionary<string, string>(Clean);
        foreach (var (key, value) in values) environment[key] = value;
        return environment;
    }

    [Fact]
    public void ByDefaultARunUsesThePhysicalCoresFixedAllocatorThresholdsAndShortSpinning()
    {
        using var work = new WorkDir();
        var (parameters, tags) = RunTiny(work, Clean);

        int threads = parameters.GetProperty("threads").GetInt32();
        Assert.InRange(threads, 1, Environment.ProcessorCount);
        Assert.StartsWith("physical cores", tags.GetProperty("threads.source").GetString());
        if (OperatingSystem.IsLinux())
        {
            // glibc must accept both thresholds: a value above its limit is refused and the per-step mmap churn stays.
            Assert.Equal("fixed thresholds (trim 256 MiB, mmap 32 MiB)", tags.GetProperty("host.malloc").GetString());
            Assert.Equal("GOMP_SPINCOUNT=1000", tags.GetProperty("host.omp_wait").GetString());
        }
    }

    [Fact]
    public void ThreadsComeFromTheOptionThenThePipelineThenOmpNumThreads()
    {
        using var work = new WorkDir();

        var (optionParams, optionTags) = RunTiny(work, With(("OMP_NUM_THREADS", "2")), "--set", "threads=2", "--threads", "1");
        Assert.Equal(1, optionParams.GetProperty("threads").GetInt32());
        Assert.Equal("--threads", optionTags.GetProperty("threads.source").GetString());

        var (pipelineParams, pipelineTags) = RunTiny(work, With(("OMP_NUM_THREADS", "2")), "--set", "threads=1");
        Assert.Equal(1, pipelineParams.GetProperty("threads").GetInt32());
        Assert.Equal("pipeline", pipelineTags.GetProperty("threads.source").GetString());

        var (envParams, envTags) = RunTiny(work, With(("OMP_NUM_THREADS", "1")));
        Assert.Equal(1, envParams.GetProperty("threads").GetInt32());
        Assert.Equal("OMP_NUM_THREADS", envTags.GetProperty("threads.source").GetString());
    }

    [Fact]
    public void TheUsersOwnAllocatorAndOpenMpSettingsWin()
    {
        using var work = new WorkDir();
        var (_, tags) = RunTiny(work, With(("DIFFUSION_MALLOC", "system"), ("OMP_WAIT_POLICY", "PASSIVE")));

        Assert.Equal("system (DIFFUSION_MALLOC=system)", tags.GetProperty("host.malloc").GetString());
        Assert.Equal("OMP_WAIT_POLICY=PASSIVE (yours)", tags.GetProperty("host.omp_wait").GetString());
    }

    [Theory]
    [InlineData("--threads", "0", "--threads must be at least 1")]
    [InlineData("--set", "threads=many", "threads: expected auto or a whole number from 1 to 1024")]
    public void ABadThreadCountIsAnInputError(string option, string value, string message)
    {
        using var work = new WorkDir();
        string file = work.File("tiny.yaml", RunCommandTests.Tiny);
        var run = Cli.Run(work.Path, "run", file, option, value);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
    }
}
