using System.Text.RegularExpressions;
using Diffusion.Core.Pipelines;
using Diffusion.Core.Plugins;
using Diffusion.Core.Sweeps;

namespace Diffusion.Core.Tests.Sweeps;

/// <summary>Every ```yaml block in docs/tracking.md is a valid pipeline with a sweep, against the real first-party plugins.</summary>
public class TrackingDocsTests
{
    [Fact]
    public void EveryYamlExampleValidatesWithItsSweep()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Diffusion.Framework.sln"))) root = Path.GetDirectoryName(root)!;
        var blocks = Regex.Matches(File.ReadAllText(Path.Combine(root, "docs", "tracking.md")), @"```yaml\n(.*?)```", RegexOptions.Singleline)
            .Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(blocks);
        using var temp = new TempFolder();
        foreach (var (block, i) in blocks.Select((b, i) => (b, i)))
        {
            string path = temp.File($"example-{i}.yaml", block);
            try
            {
                var document = PipelineLoader.Load(path);
                var catalog = PluginDiscovery.Discover(PluginSource.Defaults(document.PluginFolders));
                var spec = PipelineBinder.Bind(document, catalog);
                Assert.NotNull(spec.Sweep);
                Assert.Empty(SweepValidation.Check(block, path, [], spec.Sweep, catalog));
            }
            catch (PipelineValidationException e)
            {
                Assert.Fail($"example {i} in docs/tracking.md does not validate:\n{block}\n{e.Message}");
            }
        }
    }
}
