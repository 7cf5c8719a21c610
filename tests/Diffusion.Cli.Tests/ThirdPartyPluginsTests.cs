using System.Text.Json;
using System.Text.RegularExpressions;

namespace Diffusion.Cli.Tests;

/// <summary>
/// The third-party plugin experience through the real host: the out-of-tree examples (built separately, loaded from
/// folders a pipeline or DIFFUSION_PLUGIN_PATH names) and plugins that fail on purpose.
/// </summary>
[Collection(ExamplePluginsCollection.Name)]
public class ThirdPartyPluginsTests(ExamplePlugins examples)
{
    private static readonly string[] TinyScale =
    [
        "--set", "device=cpu", "--set", "stages.train.steps=4", "--set", "stages.train.checkpoint_every=2",
        "--set", "stages.sample.count=4", "--set", "stages.sample.batch_size=4", "--set", "stages.sample.steps=3",
    ];

    [Fact]
    public void APipelineUsingOneOutOfTreePluginOfEachKindCompletes()
    {
        using var work = new WorkDir();

        var run = Cli.Run(work.Path, ["run", examples.AllKinds, .. TinyScale]);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        string output = run.Stdout + run.Stderr; // log lines go to stderr when output is redirected
        Assert.Contains("COMPLETED", output);
        Assert.Contains("fp16-roundtrip: rounded", output);          // compression, through the compress stage
        Assert.Contains("eval/stripe_score", output);                // modality metrics after sampling and post-processing
        // Two plugins depend on different versions of Newtonsoft.Json (same assembly version 13.0.0.0): each uses its own.
        Assert.Contains("stripes: wrote sample/stripes.json with Newtonsoft.Json 13.0.1", output);
        Assert.Contains("(Newtonsoft.Json 13.0.3)", output);
        Assert.DoesNotContain("warning", output);
    }

    [Fact]
    public void AnOutOfTreeStageReadsTheSamplesFromTheRunStateAndRecordsMetricsAndAnArtifact()
    {
        using var work = new WorkDir();

        var run = Cli.Run(work.Path, ["run", examples.AllKinds, .. TinyScale]);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        string id = Regex.Match(run.Stdout, @"run ([0-9a-f]{6,}) started").Groups[1].Value;
        var show = Cli.Run(work.Path, "runs", "show", id, "--json");
        Assert.True(show.ExitCode == 0, show.Stderr);
        using var json = JsonDocument.Parse(show.Stdout);
        var metrics = json.RootElement.GetProperty("metrics");
        double mean = metrics.GetProperty("stats/mean_c0").GetProperty("last").GetDouble();
        double std = metrics.GetProperty("stats/std_c0").GetProperty("last").GetDouble();
        Assert.InRange(metrics.GetProperty("stats/outside_fraction").GetProperty("last").GetDouble(), 0, 1);
        Assert.False(metrics.TryGetProperty("stats/mean_c1", out _), "stripes have one channel");
        Assert.Contains(json.RootElement.GetProperty("artifacts").EnumerateArray(),
            a => a.GetProperty("path").GetString() == "stats.json" && a.GetProperty("kind").GetString() == "sample-stats");
        // The artifact holds the same figures, for the 4 samples the sample stage drew (after post-processing).
        using var stats = JsonDocument.Parse(File.ReadAllText(Path.Combine(work.Path, "runs", id, "stats.json")));
        Assert.Equal(4, stats.RootElement.GetProperty("Count").GetInt64());
        Assert.Equal(mean, stats.RootElement.GetProperty("Mean")[0].GetDouble(), 1e-12);
        Assert.Equal(std, stats.RootElement.GetProperty("Std")[0].GetDouble(), 1e-12);
        Assert.True(std > 0, "the samples differ from one another");
    }

    [Fact]
    public void PluginsVerboseSaysWhereEachPluginCameFrom()
    {
        using var work = new WorkDir();

        var list = Cli.Run(work.Path, new Dictionary<string, string> { ["DIFFUSION_PLUGIN_PATH"] = examples.Out }, "plugins", "--verbose");

        Assert.True(list.ExitCode == 0, list.Stderr);
        foreach (string example in new[] { "Example.Stripes", "Example.TinyConv", "Example.DdimLite", "Example.Fp16", "Example.Quantize", "Example.SampleStats" })
            Assert.Contains("from " + Path.Combine(examples.Out, example, example + ".dll"), list.Stdout);
        Assert.Contains("from " + Path.Combine(Path.GetDirectoryName(Cli.Dll)!, "plugins", "Diffusion.Samplers", "Diffusion.Samplers.dll"), list.Stdout);
        Assert.Contains("from " + Path.Combine(Path.GetDirectoryName(Cli.Dll)!, "plugins", "Diffusion.Stages", "Diffusion.Stages.dll"), list.Stdout);
        Assert.Equal("", list.Stderr.Trim());
    }

    [Fact]
    public void PluginsAreNotLoadedFromFoldersNobodyNamed()
    {
        // Only plugins/ beside the host, DIFFUSION_PLUGIN_PATH and a pipeline's plugins: are searched: not the
        // working directory, nor a plugins/ folder under it.
        using var work = new WorkDir();
        foreach (string to in new[] { Path.Combine(work.Path, "plugins", "Example.Stripes"), Path.Combine(work.Path, "Example.Stripes") })
        {
            Directory.CreateDirectory(to);
            foreach (string file in Directory.EnumerateFiles(Path.Combine(examples.Out, "Example.Stripes")))
                File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        var list = Cli.Run(work.Path, "plugins", "--verbose");

        Assert.Equal(0, list.ExitCode);
        Assert.DoesNotContain("stripes", list.Stdout);
        Assert.DoesNotContain(work.Path, list.Stdout);
    }

    [Fact]
    public void APluginWhoseConstructorThrowsFailsTheRunNamingPluginFileAndCauseWhileOthersAreListed()
    {
        using var work = new WorkDir();
        string folder = examples.CopyFailureMode("AlwaysThrows", work.Path);
        string pipeline = work.File("p.yaml", RunCommandTests.Tiny
            .Replace("device: cpu", "device: cpu\nplugins: [broken]")
            .Replace("clamp: { plugin: clamp }", "clamp: { plugin: always-throws }"));

        var run = Cli.Run(work.Path, "run", pipeline, "--set", "stages.train.steps=2");
        var list = Cli.Run(work.Path, new Dictionary<string, string> { ["DIFFUSION_PLUGIN_PATH"] = Path.Combine(work.Path, "broken") }, "plugins");

        Assert.NotEqual(0, run.ExitCode);
        string output = run.Stdout + run.Stderr;
        Assert.Contains("postprocessor plugin 'always-throws'", output);
        Assert.Contains(Path.Combine(folder, "AlwaysThrows.dll"), output);
        Assert.Contains("the always-throws example fails on purpose", output);
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("always-throws", list.Stdout);
        Assert.Contains("ddpm", list.Stdout);
    }

    [Fact]
    public void BrokenPluginsAreReportedByFileAndCauseAndEveryOtherPluginKeepsWorking()
    {
        using var work = new WorkDir();
        string needsHelper = examples.CopyFailureMode("NeedsHelper", work.Path);
        File.Delete(Path.Combine(needsHelper, "NeedsHelper.Helper.dll"));
        string fromTheFuture = examples.CopyFailureMode("FromTheFuture", work.Path);
        var environment = new Dictionary<string, string> { ["DIFFUSION_PLUGIN_PATH"] = Path.Combine(work.Path, "broken") };

        var list = Cli.Run(work.Path, environment, "plugins", "--verbose");
        var run = Cli.Run(work.Path, environment, ["run", examples.AllKinds, .. TinyScale]);

        Assert.True(list.ExitCode == 0, list.Stderr);
        // The missing dependency: the plugin's file and the missing assembly.
        Assert.Matches($@"{Escaped(Path.Combine(needsHelper, "NeedsHelper.dll"))}.*NeedsHelper\.Helper\.dll", list.Stderr);
        // Built against Diffusion.Abstractions 3.x: the file and both major versions.
        Assert.Matches($@"{Escaped(Path.Combine(fromTheFuture, "FromTheFuture.dll"))}.*Diffusion\.Abstractions 3\.x.*2\.x", list.Stderr);
        Assert.DoesNotContain("needs-helper", list.Stdout);
        Assert.DoesNotContain("from-the-future", list.Stdout);
        Assert.Contains("clamp", list.Stdout);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains("COMPLETED", run.Stdout + run.Stderr);
    }

    private static string Escaped(string text) => System.Text.RegularExpressions.Regex.Escape(text);
}
