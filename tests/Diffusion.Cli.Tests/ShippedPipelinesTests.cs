using System.Text.Json;
using System.Text.RegularExpressions;

namespace Diffusion.Cli.Tests;

/// <summary>Every pipeline in pipelines/ runs end to end, shrunk with --set to a few steps.</summary>
public class ShippedPipelinesTests
{
    private static readonly string[] Tiny =
    [
        "stages.train.steps=2", "stages.train.batch_size=4", "stages.train.checkpoint_every=0",
        "stages.sample.count=2", "stages.sample.steps=2",
        "stages.evaluate.loss_items=4", "stages.evaluate.loss_timesteps=1",
    ];

    [Fact]
    public void QuickstartRunsAtTinyScale()
    {
        using var work = new WorkDir();
        var result = Cli.Run(work.Path, ["run", Path.Combine(Cli.RepoRoot, "pipelines", "quickstart.yaml"), .. SetAll(Tiny), "--set", "components.data.count=32"]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("COMPLETED", result.Stdout);
    }

    [Fact]
    public void QuickstartSamplesWithAnotherSamplerThanItTrainedWith()
    {
        using var work = new WorkDir();
        var result = Cli.Run(work.Path, ["run", Path.Combine(Cli.RepoRoot, "pipelines", "quickstart.yaml"), .. SetAll(Tiny), "--set", "components.data.count=32",
            "--set", "components.sampler.plugin=dpmpp-2m"]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var show = Cli.Run(work.Path, "runs", "show", "--json", Regex.Match(result.Stdout, @"run ([0-9a-f]+) COMPLETED").Groups[1].Value);
        var parameters = JsonDocument.Parse(show.Stdout).RootElement.GetProperty("params");
        Assert.Equal("ddpm", parameters.GetProperty("components.noise.plugin").GetString());
        Assert.Equal("dpmpp-2m", parameters.GetProperty("components.sampler.plugin").GetString());
    }

    [Fact]
    public void FashionMnistRunsAtTinyScaleOnTheInstalledDataset()
    {
        if (!File.Exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"))
        {
            // .ci/run installs dataset-fashion-mnist; elsewhere this test has nothing to read.
            return;
        }
        using var work = new WorkDir();
        var result = Cli.Run(work.Path, ["run", Path.Combine(Cli.RepoRoot, "pipelines", "fashion-mnist.yaml"), .. SetAll(Tiny), "--set", "components.data.limit=64"]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("COMPLETED", result.Stdout);
    }

    private static IEnumerable<string> SetAll(IEnumerable<string> overrides) => overrides.SelectMany(o => new[] { "--set", o });
}
