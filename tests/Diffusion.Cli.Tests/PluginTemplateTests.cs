namespace Diffusion.Cli.Tests;

/// <summary>
/// The <c>dotnet new diffusion-plugin</c> template (tools/templates/diffusion-plugin) for the kinds the documented NuGet
/// route (<see cref="PluginAuthoringDocsTests"/>) does not scaffold: a modality, a compression pass and a post-processor,
/// compiled against the built Diffusion.Abstractions.dll (<c>--abstractions</c>), each tested with its own tests and run
/// in the host through its pipeline.yaml. The template goes into a private template hive, so the machine's own templates
/// are not touched.
/// </summary>
public class PluginTemplateTests
{
    [Fact]
    public void TheTemplateScaffoldsAModalityACompressionPassAndAPostProcessorThatPassTheirTestsAndRunInTheHost()
    {
        using var work = new WorkDir();
        string hive = Install(work.Path);
        // The built contracts beside the CLI (compiling against the .csproj would build it again, maybe concurrently).
        string abstractions = Path.Combine(Path.GetDirectoryName(Cli.Dll)!, "Diffusion.Abstractions.dll");

        foreach (var (name, kind, ran) in new[]
        {
            ("Ring", "modality", "eval/ring_distance"),
            ("Prune", "compression", "prune: set"),
            ("Sharpen", "postprocessor", "stage 'postprocess' done"),
        })
        {
            string project = Path.Combine(work.Path, name);
            TemplateProcess.Dotnet(work.Path, "new", "diffusion-plugin", "-n", name, "--kind", kind, "--abstractions", abstractions, "--debug:custom-hive", hive);
            string test = TemplateProcess.Dotnet(project, "test", "-nologo");
            var run = Cli.Run(project, "run", "pipeline.yaml", "--set", "device=cpu");

            string output = run.Stdout + run.Stderr;
            Assert.Contains("Passed!", test);
            Assert.True(run.ExitCode == 0, output);
            Assert.Contains(ran, output);
            Assert.DoesNotContain("warning", output);
            Assert.False(File.Exists(Path.Combine(project, "nuget.config")), "--abstractions needs no feed");
            Assert.False(File.Exists(Path.Combine(project, name, "bin", "Debug", "net10.0", "Diffusion.Abstractions.dll")), "the host provides the contracts");
        }
    }

    [Fact]
    public void AnUnknownKindIsRefusedWithTheKindsThereAre()
    {
        using var work = new WorkDir();
        string hive = Install(work.Path);

        var (exitCode, output) = TemplateProcess.Try("dotnet", work.Path, "new", "diffusion-plugin", "-n", "Euler", "--kind", "solver", "--debug:custom-hive", hive);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("'solver' is not a valid value for --kind", output);
        foreach (string kind in new[] { "sampler", "denoiser", "modality", "compression", "postprocessor", "stage" })
            Assert.Contains(kind, output);
        Assert.False(Directory.Exists(Path.Combine(work.Path, "Euler")));
    }

    /// <summary>Installs the template into a template hive under <paramref name="work"/>; returns the hive.</summary>
    private static string Install(string work)
    {
        string hive = Path.Combine(work, "hive");
        TemplateProcess.Dotnet(work, "new", "install", Path.Combine(Cli.RepoRoot, "tools", "templates", "diffusion-plugin"), "--debug:custom-hive", hive);
        return hive;
    }
}
