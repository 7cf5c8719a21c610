using Diffusion.Tests.Shared;

namespace Diffusion.Cli.Tests;

/// <summary>
/// The pipeline fuzz test through the real binary (issue 25): mutated copies of every shipped pipeline go through
/// <c>diffusion validate</c>, and the process must end with exit 0 or 2 in bounded time, account for every file, and
/// never print a stack trace. The in-process twin (Diffusion.Core.Tests, PipelineFuzzTests) runs thousands of cases;
/// this one checks what only the binary can get wrong: the exit code, the top-level handler and the output.
/// </summary>
public class ValidateFuzzTests
{
    private const int CasesPerPipeline = 12;

    [Fact]
    public void MutatedPipelinesAreValidOrRefusedWithErrorsNeverACrash()
    {
        using var work = new WorkDir();
        var files = new List<string>();
        foreach (string pipeline in Directory.GetFiles(Path.Combine(Cli.RepoRoot, "pipelines"), "*.yaml").Order(StringComparer.Ordinal))
        {
            string original = File.ReadAllText(pipeline);
            string name = Path.GetFileNameWithoutExtension(pipeline);
            var random = new Random(name.Aggregate(23, (h, c) => (h * 31) + c));
            for (int i = 0; i < CasesPerPipeline; i++)
                files.Add(work.File($"{name}-{i:00}.yaml", PipelineMutator.Mutate(original, random)));
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = Cli.Run(work.Path, ["validate", .. files]);
        clock.Stop();

        Assert.True(result.ExitCode is 0 or 2, $"exit {result.ExitCode}\n{result.Stderr}");
        Assert.DoesNotContain("Unhandled exception", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        var unaccounted = files.Where(f => !result.Stdout.Contains($"{f}: ok", StringComparison.Ordinal)
                                           && !result.Stderr.Contains($" in {f}.", StringComparison.Ordinal)).ToList();
        Assert.True(unaccounted.Count == 0, $"neither ok nor refused: {string.Join(", ", unaccounted.Take(5))}");
        int refused = files.Count(f => result.Stderr.Contains($" in {f}.", StringComparison.Ordinal));
        Assert.True(refused > files.Count / 4, $"only {refused} of {files.Count} mutations were refused: the fuzzing tests nothing");
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), $"validating {files.Count} files took {clock.Elapsed}: a hang");
    }

    [Fact]
    public void ValidateTakesSeveralFilesAndFailsIfAnyIsInvalid()
    {
        using var work = new WorkDir();
        string good = work.File("good.yaml", RunCommandTests.Tiny);
        string bad = work.File("bad.yaml", RunCommandTests.Tiny + "\nbogus: 1\n");

        var both = Cli.Run(work.Path, "validate", good, bad);
        Assert.Equal(2, both.ExitCode);
        Assert.Contains($"{good}: ok", both.Stdout);
        Assert.Contains("unknown key 'bogus'", both.Stderr);
        Assert.Contains($"1 error in {bad}.", both.Stderr);

        Assert.Equal(0, Cli.Run(work.Path, "validate", good, good).ExitCode);
    }
}
