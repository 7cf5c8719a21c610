namespace Diffusion.Cli.Tests;

/// <summary>
/// The plugin author's path as docs/plugins.md ("Start a plugin from the template") writes it: the test reads the bash
/// block of that section and runs it as it stands, the part marked "once" (pack Diffusion.Abstractions into
/// ~/.diffusion/feed, install the template) once, and the part marked "each plugin" (scaffold through the NuGet package,
/// <c>dotnet test</c>, <c>diffusion plugins --verbose</c>, <c>diffusion run pipeline.yaml</c>) for a stage, a sampler
/// and a denoiser, with the name and kind of each. It runs in a temporary folder holding a copy of the parts of the clone
/// the commands use, under a temporary HOME: the feed, the template cache (~/.templateengine) and the Diffusion.Abstractions
/// package restored from the feed stay there. Every other package comes from the machine's NuGet folder, read-only (a
/// fallback folder), so nothing is downloaded.
/// </summary>
public class PluginAuthoringDocsTests
{
    private const string Section = "## Start a plugin from the template";
    private const string EachPlugin = "# each plugin";

    [Fact]
    public async Task TheDocumentedNuGetRouteScaffoldsTestsAndRunsAStageASamplerAndADenoiser()
    {
        var (once, each) = DocumentedCommands();
        using var work = new WorkDir();
        string home = Path.Combine(work.Path, "home");
        Directory.CreateDirectory(home);
        CopyCloneParts(Path.Combine(work.Path, "Diffusion.Framework"));
        var environment = new Dictionary<string, string?>
        {
            ["HOME"] = home,
            ["DOTNET_CLI_HOME"] = home,
            ["NUGET_PACKAGES"] = Path.Combine(home, ".nuget", "packages"),
            ["NUGET_FALLBACK_PACKAGES"] = MachinePackageFolder(),
            ["PATH"] = Path.GetDirectoryName(Cli.Dll) + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"),
            // The host's CPU-kernel check, cached per machine: the one the other tests' runs use (not the temporary home's).
            ["DIFFUSION_CACHE_DIR"] = MachineDiffusionCache(),
            // No MSBuild worker nodes left waiting in the temporary folder after the test.
            ["MSBUILDDISABLENODEREUSE"] = "1",
        };

        TemplateProcess.Bash(work.Path, environment, once);

        Assert.True(File.Exists(Path.Combine(home, ".diffusion", "feed", $"Diffusion.Abstractions.{TemplateVersionTests.AbstractionsVersion()}.nupkg")),
            "the documented dotnet pack puts the package into ~/.diffusion/feed");
        var plugins = new[]
        {
            (Name: "Histogram", Kind: "stage", Ran: "histogram: histogram of 1024 values in 10 bins"),
            (Name: "Leapfrog", Kind: "sampler", Ran: "drew 16 samples with 10 steps"),
            (Name: "TinyMlp", Kind: "denoiser", Ran: "drew 16 samples with 10 steps"),
        };
        // The documented lines up to `dotnet new` run one plugin at a time: concurrent `dotnet new` calls under one HOME
        // race for the template cache's packages.json. The rest (build, test, run) works in independent folders, so the
        // three run side by side (most of their time is dotnet waiting on itself).
        int scaffoldEnd = each.IndexOf('\n', each.IndexOf("dotnet new diffusion-plugin", StringComparison.Ordinal)) + 1;
        string Commands(string part, (string Name, string Kind, string Ran) p) => part.Replace("Sharpen", p.Name).Replace("--kind postprocessor", "--kind " + p.Kind);
        var scaffolds = plugins.Select(p => TemplateProcess.Bash(work.Path, environment, Commands(each[..scaffoldEnd], p))).ToList();
        string[] rest = await Task.WhenAll(plugins.Select(p =>
            Task.Run(() => TemplateProcess.Bash(work.Path, environment, Commands(each[scaffoldEnd..], p)))));
        var outputs = scaffolds.Zip(rest, (scaffold, run) => scaffold + run).ToArray();
        foreach (var (plugin, output) in plugins.Zip(outputs))
        {
            string bin = Path.Combine(work.Path, plugin.Name, plugin.Name, "bin", "Debug", "net10.0");
            Assert.Contains("Passed!", output);
            Assert.Contains("from " + Path.Combine(bin, plugin.Name + ".dll"), output);
            Assert.Contains(plugin.Ran, output);
            Assert.Contains("COMPLETED", output);
            Assert.DoesNotMatch(@"warning( [A-Z]+\d+)?:", output);
            // The plugin carries only itself: the host provides Diffusion.Abstractions and TorchSharp with its natives.
            Assert.Equal([plugin.Name + ".deps.json", plugin.Name + ".dll", plugin.Name + ".pdb", plugin.Name + ".runtimeconfig.json"],
                Directory.EnumerateFileSystemEntries(bin).Select(entry => Path.GetFileName(entry)).Order(StringComparer.Ordinal));
        }
        Assert.True(Directory.Exists(Path.Combine(home, ".nuget", "packages", "diffusion.abstractions")), "restored from the feed into the temporary home");
    }

    /// <summary>The "once" and "each plugin" parts of the section's bash block.</summary>
    private static (string Once, string Each) DocumentedCommands()
    {
        string docs = File.ReadAllText(Path.Combine(Cli.RepoRoot, "docs", "plugins.md"));
        int section = docs.IndexOf(Section, StringComparison.Ordinal);
        Assert.True(section >= 0, $"docs/plugins.md has no '{Section}'");
        int start = docs.IndexOf("```bash\n", section, StringComparison.Ordinal) + "```bash\n".Length;
        string block = docs[start..docs.IndexOf("```", start, StringComparison.Ordinal)];
        int split = block.IndexOf(EachPlugin, StringComparison.Ordinal);
        Assert.True(split > 0, $"the block of '{Section}' has no '{EachPlugin}' part:\n{block}");
        string once = block[..split], each = block[split..];
        Assert.Contains("dotnet pack core/Diffusion.Abstractions", once);
        Assert.Contains("dotnet new diffusion-plugin -n Sharpen --kind postprocessor", each);
        return (once, each);
    }

    /// <summary>What the documented commands read from the clone: the build settings, the contracts and the template.</summary>
    private static void CopyCloneParts(string clone)
    {
        foreach (string file in new[] { "Directory.Build.props", "Directory.Packages.props", "nuget.config", "global.json" })
        {
            Directory.CreateDirectory(clone);
            File.Copy(Path.Combine(Cli.RepoRoot, file), Path.Combine(clone, file));
        }
        CopyFolder(Path.Combine(Cli.RepoRoot, "core", "Diffusion.Abstractions"), Path.Combine(clone, "core", "Diffusion.Abstractions"));
        CopyFolder(Path.Combine(Cli.RepoRoot, "tools", "templates"), Path.Combine(clone, "tools", "templates"));
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (string folder in Directory.EnumerateDirectories(from))
            if (Path.GetFileName(folder) is not ("bin" or "obj"))
                CopyFolder(folder, Path.Combine(to, Path.GetFileName(folder)));
    }

    /// <summary>Where the host caches its kernel check for the real home (see Diffusion.Core's KernelCheckCache).</summary>
    private static string MachineDiffusionCache() =>
        Environment.GetEnvironmentVariable("DIFFUSION_CACHE_DIR") is { Length: > 0 } cache ? cache
        : Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? Path.Combine(xdg, "diffusion")
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "diffusion");

    /// <summary>The NuGet folder the repository's own build restored into (TorchSharp, libtorch, xunit are there).</summary>
    private static string MachinePackageFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
}
