using System.Text.RegularExpressions;

namespace Diffusion.Core.Tests.Docs;

/// <summary>
/// Docs that cannot drift (issue 23): a ```yaml block in docs/ that says it is a shipped file (first line
/// <c># shipped: PATH</c>, PATH from the repository root) must be a verbatim run of that file's lines, and a block
/// that names a shipped pipeline with <c># file:</c> must say so the checkable way; every measured figure in
/// README.md must appear in docs/benchmarks.md, where its command and machine are.
/// </summary>
public class DocsDriftTests
{
    private static readonly string Root = RepoRoot();

    public static TheoryData<string, int> ShippedExcerpts()
    {
        var data = new TheoryData<string, int>();
        foreach (var (doc, index, _) in YamlBlocks()) data.Add(doc, index);
        return data;
    }

    [Theory]
    [MemberData(nameof(ShippedExcerpts))]
    public void Yaml_excerpts_that_claim_a_shipped_file_match_it(string doc, int index)
    {
        string block = YamlBlocks().Single(b => b.Doc == doc && b.Index == index).Text;
        var lines = block.Split('\n').Select(l => l.TrimEnd()).ToList();
        if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);

        var named = Regex.Match(lines[0], @"^#\s*file:\s*(\S+)");
        if (named.Success)
            Assert.False(File.Exists(Path.Combine(Root, "pipelines", Path.GetFileName(named.Groups[1].Value))),
                $"{doc}, yaml block {index}: '# file: {named.Groups[1].Value}' names a shipped pipeline; write '# shipped: pipelines/{Path.GetFileName(named.Groups[1].Value)}' and copy the file's lines, so a test keeps them equal");

        var shipped = Regex.Match(lines[0], @"^#\s*shipped:\s*(\S+)");
        if (!shipped.Success) return;
        string path = Path.Combine(Root, shipped.Groups[1].Value);
        Assert.True(File.Exists(path), $"{doc}, yaml block {index}: shipped file {shipped.Groups[1].Value} does not exist");
        var excerpt = lines.Skip(1).ToList();
        var file = File.ReadAllLines(path).Select(l => l.TrimEnd()).ToList();
        Assert.NotEmpty(excerpt);
        bool found = Enumerable.Range(0, Math.Max(0, file.Count - excerpt.Count + 1)).Any(start => file.Skip(start).Take(excerpt.Count).SequenceEqual(excerpt));
        Assert.True(found, $"{doc}, yaml block {index} is no longer a verbatim excerpt of {shipped.Groups[1].Value}; copy the file's current lines into the doc");
    }

    [Fact]
    public void The_docs_show_the_shipped_quickstart()
    {
        Assert.Contains(YamlBlocks(), b => b.Doc == "pipelines.md" && b.Text.StartsWith("# shipped: pipelines/quickstart.yaml", StringComparison.Ordinal));
    }

    /// <summary>
    /// A measured figure is a decimal number (1.08, 10.3) in README.md that is not part of a version (x.y.z, "TorchSharp 0.107",
    /// "net10.0", "libtorch 2.10") or an address: each must be found in docs/benchmarks.md.
    /// </summary>
    [Fact]
    public void Every_figure_in_the_readme_is_in_the_benchmarks()
    {
        string readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        string benchmarks = File.ReadAllText(Path.Combine(Root, "docs", "benchmarks.md"));
        var figures = Regex.Matches(readme, @"(?<![\w.])(\d+\.\d+)(?![\w.])")
            .Where(m => !Regex.IsMatch(readme[Math.Max(0, m.Index - 14)..m.Index], @"(TorchSharp|libtorch|PyTorch|\.NET|version|SDK)\s*$", RegexOptions.IgnoreCase))
            .Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.NotEmpty(figures);
        var missing = figures.Where(f => !Regex.IsMatch(benchmarks, $@"(?<![\d.]){Regex.Escape(f)}(?![\d])")).ToList();
        Assert.True(missing.Count == 0, $"README.md quotes {string.Join(", ", missing)}, not found in docs/benchmarks.md: put each measured figure there with its command and machine");
    }

    /// <summary>Every ```yaml block of every Markdown file under docs/: (file name, index within the file, text).</summary>
    private static List<(string Doc, int Index, string Text)> YamlBlocks() =>
        [.. Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Order(StringComparer.Ordinal)
            .SelectMany(file => Regex.Matches(File.ReadAllText(file), @"```yaml\n(.*?)```", RegexOptions.Singleline)
                .Select((m, i) => (Path.GetFileName(file), i, m.Groups[1].Value)))];

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Diffusion.Framework.sln"))) dir = dir.Parent;
        return dir!.FullName;
    }
}
