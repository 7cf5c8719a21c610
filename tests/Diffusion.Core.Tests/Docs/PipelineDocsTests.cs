using System.Text.RegularExpressions;
using Diffusion.Core.Pipelines;
using Diffusion.Core.Plugins;

namespace Diffusion.Core.Tests.Docs;

/// <summary>
/// Every ```yaml block in docs/pipelines.md must be a valid pipeline against the real first-party plugins.
/// A block whose first line is <c># file: NAME.yaml</c> is saved under that name, so later blocks can extend it.
/// </summary>
public class PipelineDocsTests
{
    private static readonly string Doc = Path.Combine(RepoRoot(), "docs", "pipelines.md");

    public static TheoryData<int> Blocks()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < YamlBlocks().Count; i++) data.Add(i);
        return data;
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void EveryYamlExampleValidates(int index)
    {
        var blocks = YamlBlocks();
        using var temp = new TempFolder();
        string? path = null;
        for (int i = 0; i <= index; i++)
        {
            var match = Regex.Match(blocks[i], @"^#\s*file:\s*(\S+)");
            string name = match.Success ? match.Groups[1].Value : $"example-{i}.yaml";
            // A block that shows only components is a fragment of a pipeline: it gets a do-nothing stage, as a
            // pipeline without stages is refused.
            string text = Regex.IsMatch(blocks[i], @"^(stages|extends):", RegexOptions.Multiline)
                ? blocks[i] : blocks[i] + "stages: [{name: check, type: postprocess, processors: [clamp]}]\n";
            string written = temp.File(name, text);
            if (i == index) path = written;
        }

        try
        {
            var document = PipelineLoader.Load(path!, []);
            PipelineBinder.Bind(document, PluginDiscovery.Discover(PluginSource.Defaults(document.PluginFolders)));
        }
        catch (PipelineValidationException e)
        {
            Assert.Fail($"example {index} in docs/pipelines.md does not validate:\n{blocks[index]}\n{e.Message}");
        }
    }

    private static List<string> YamlBlocks() =>
        Regex.Matches(File.ReadAllText(Doc), @"```yaml\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Diffusion.Framework.sln"))) dir = dir.Parent;
        return dir!.FullName;
    }
}
