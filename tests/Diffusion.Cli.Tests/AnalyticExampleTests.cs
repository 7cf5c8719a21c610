using System.Globalization;
using System.Text.RegularExpressions;

namespace Diffusion.Cli.Tests;

/// <summary>
/// examples/plugins/analytic.yaml, as docs/plugins.md ("Sampling a model without trained weights") runs it: the exact
/// denoiser of Gaussian data, built by a stage instead of trained, sampled with an out-of-tree sampler.
/// </summary>
[Collection(ExamplePluginsCollection.Name)]
public class AnalyticExampleTests(ExamplePlugins examples)
{
    [Fact]
    public void AModelWithoutTrainedWeightsIsSampledAndItsSamplesHaveTheDatasMeanAndStd()
    {
        using var work = new WorkDir();

        var run = Cli.Run(work.Path, "run", examples.Analytic, "--set", "device=cpu");

        string output = run.Stdout + run.Stderr;
        Assert.True(run.ExitCode == 0, output);
        Assert.Contains("built 'model' (0 parameters)", output);
        Assert.DoesNotContain("stage 'train'", output);
        // Data N(0.5, 0.2²). Deterministic DDIM with 250 steps on this exact model keeps 0.974 of the std (its own
        // discretization error, in closed form); 2000 values estimate the std within about 2 %.
        Assert.InRange(Metric(output, "mean_error"), 0, 0.02);
        Assert.InRange(Metric(output, "std_ratio"), 0.93, 1.02);
    }

    private static double Metric(string output, string name)
    {
        var match = Regex.Match(output, $@"eval/{name} = (\S+)");
        Assert.True(match.Success, $"no eval/{name} in:\n{output}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
