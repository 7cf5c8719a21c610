namespace Diffusion.Cli.Tests;

public class ValidateCommandTests
{
    [Fact]
    public void TheShippedPipelinesAreValid()
    {
        foreach (string file in Directory.EnumerateFiles(Path.Combine(Cli.RepoRoot, "pipelines"), "*.yaml"))
        {
            var result = Cli.Run(Cli.RepoRoot, "validate", file);
            Assert.True(result.ExitCode == 0, $"{file}: {result.Stderr}");
            Assert.Contains(": ok", result.Stdout);
        }
    }

    [Fact]
    public void ARenamedOptionsOldKeyIsValidWithAWarningThatNamesTheNewKey()
    {
        using var work = new WorkDir();
        string shipped = File.ReadAllText(Path.Combine(Cli.RepoRoot, "pipelines", "text-infill.yaml"));
        string file = work.File("old-infill.yaml", shipped.Replace("    templates:\n", "    prompts:\n", StringComparison.Ordinal));

        var result = Cli.Run(work.Path, "validate", file);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains(": ok", result.Stdout);
        Assert.Equal("old-infill.yaml:44:5: warning: stages.infill.prompts is deprecated; write templates", result.Stderr.Trim());
    }

    [Fact]
    public void ThePipelinesOfTheFirstWaveStillValidateWithSchedulerAndAWarningPerStageThatSaysSampler()
    {
        using var work = new WorkDir();
        string shipped = File.ReadAllText(Path.Combine(Cli.RepoRoot, "pipelines", "quickstart.yaml"));
        string old = shipped.Replace("    sampler: noise\n", "    scheduler: noise\n", StringComparison.Ordinal)
                            .Replace("    sampler: sampler\n", "    scheduler: sampler\n", StringComparison.Ordinal);
        Assert.NotEqual(shipped, old);
        string file = work.File("old-quickstart.yaml", old);

        var result = Cli.Run(work.Path, "validate", file);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains(": ok", result.Stdout);
        var warnings = result.Stderr.Trim().Split('\n');
        Assert.Equal(2, warnings.Length);
        Assert.Matches(@"^old-quickstart\.yaml:\d+:5: warning: stages\.train\.scheduler is deprecated; write sampler$", warnings[0].Trim());
        Assert.Matches(@"^old-quickstart\.yaml:\d+:5: warning: stages\.sample\.scheduler is deprecated; write sampler$", warnings[1].Trim());
    }

    [Fact]
    public void EveryMistakeIsReportedAtOnceWithFileLineColumnAndExitCode2()
    {
        using var work = new WorkDir();
        string file = work.File("bad.yaml", """
            name: bad
            sede: 3
            components:
              data: { plugin: image, dataset: shapes, image_size: abc }
              model: { plugin: unet, base_channels: 8 }
              noise: { plugin: ddpm, timesteps: 1 }
            stages:
              - { name: train, type: train, model: model, data: data, sampler: noise }
            """);

        var result = Cli.Run(work.Path, "validate", file, "--set", "stages.nosuchstage.steps=3");

        Assert.Equal(2, result.ExitCode);
        string[] lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // Files under the working directory are named relative to it.
        Assert.Contains(lines, l => l.StartsWith("bad.yaml:2:1: error:") && l.Contains("'sede'") && l.Contains("did you mean 'seed'"));
        Assert.Contains(lines, l => l.StartsWith("bad.yaml:4:") && l.Contains("image_size"));
        Assert.Contains(lines, l => l.StartsWith("bad.yaml:5:") && l.Contains("'unet'") && l.Contains("unet2d"));
        Assert.Contains(lines, l => l.StartsWith("bad.yaml:6:") && l.Contains("timesteps"));
        Assert.Contains(lines, l => l.StartsWith("--set:1:") && l.Contains("nosuchstage"));
        Assert.DoesNotContain("   at ", result.Stderr); // no stack trace for a user's mistake
    }

    [Fact]
    public void YamlSyntaxErrorsAndMissingExtendsFilesArePinpointed()
    {
        using var work = new WorkDir();
        string broken = work.File("broken.yaml", "name: x\ncomponents: [unclosed\n");
        string child = work.File("child.yaml", "extends: nowhere.yaml\nname: child\n");

        var syntax = Cli.Run(work.Path, "validate", broken);
        var extends = Cli.Run(work.Path, "validate", child);

        Assert.Equal(2, syntax.ExitCode);
        Assert.Matches(@"^broken\.yaml:2:\d+: error: ", syntax.Stderr);
        Assert.Equal(2, extends.ExitCode);
        Assert.StartsWith("child.yaml:1:10: error:", extends.Stderr);
        Assert.Contains("nowhere.yaml", extends.Stderr);
        Assert.DoesNotContain("   at ", syntax.Stderr + extends.Stderr);
    }

    [Fact]
    public void AMissingFileIsAClearErrorNotACrash()
    {
        using var work = new WorkDir();
        var result = Cli.Run(work.Path, "validate", "does-not-exist.yaml");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("does-not-exist.yaml", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }
}
