using System.Diagnostics;
using System.Text;
using Diffusion.Core.Pipelines;
using Diffusion.Core.Plugins;

namespace Diffusion.Core.Tests.Pipelines;

/// <summary>
/// Random mutations of the shipped pipelines through the reader and binder with the real plugins, as
/// <c>diffusion validate</c> runs them: each case either binds or is refused with located errors
/// (<see cref="PipelineValidationException"/>, exit 2 in the CLI). Any other exception is a crash a user would see
/// as a stack trace. The seed is fixed, so a failure names a case that can be replayed.
/// </summary>
public sealed class PipelineFuzzTests
{
    private const int CasesPerPipeline = 250;

    public static TheoryData<string> Pipelines()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(RepoRoot(), "pipelines"), "*.yaml").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Pipelines))]
    public void Mutated_pipelines_bind_or_give_located_errors(string name)
    {
        string original = File.ReadAllText(Path.Combine(RepoRoot(), "pipelines", name));
        var catalog = PluginDiscovery.Discover(PluginSource.Defaults([]));
        var random = new Random(name.Aggregate(17, (h, c) => (h * 31) + c));
        using var temp = new TempFolder();
        var failures = new List<string>();
        int refused = 0;
        for (int i = 0; i < CasesPerPipeline && failures.Count < 5; i++)
        {
            string text = PipelineMutator.Mutate(original, random);
            string path = temp.File(name, text);
            var clock = Stopwatch.StartNew();
            try
            {
                PipelineBinder.Bind(PipelineLoader.Load(path, []), catalog);
            }
            catch (PipelineValidationException e)
            {
                refused++;
                if (e.Errors.Count == 0 || e.Errors.Any(error => error.Location.Line < 1 || error.Location.Column < 1))
                    failures.Add($"case {i}: an error without a location\n{e.Message}");
            }
            catch (Exception e)
            {
                failures.Add($"case {i}: {e.GetType().Name}: {e.Message}\n--- mutated file ---\n{Excerpt(text)}");
            }
            // A hang detector, not a speed test: one case binds in milliseconds.
            if (clock.Elapsed > TimeSpan.FromSeconds(10))
                failures.Add($"case {i} took {clock.Elapsed.TotalSeconds:0.0} s\n{Excerpt(text)}");
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        // The mutations are not all harmless: most must be refused, or the fuzzing tests nothing.
        Assert.True(refused > CasesPerPipeline / 4, $"only {refused} of {CasesPerPipeline} mutations were refused");
    }

    private static string Excerpt(string text) => text.Length > 3000 ? text[..3000] + "..." : text;

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Diffusion.Framework.sln"))) dir = dir.Parent;
        return dir!.FullName;
    }
}
