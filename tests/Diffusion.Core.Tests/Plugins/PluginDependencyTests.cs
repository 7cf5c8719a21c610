using System.Text.Json.Nodes;
using Diffusion.Abstractions.Plugins;
using Diffusion.Core.Plugins;

namespace Diffusion.Core.Tests.Plugins;

/// <summary>What discovery does with a plugin whose .deps.json names a dependency that is not beside it.</summary>
public class PluginDependencyTests
{
    private static readonly string FirstPartyFolder = Path.Combine(AppContext.BaseDirectory, "plugins");

    [Fact]
    public void ADependencyMissingFromThePluginFolderIsReportedNamingThePluginAndTheMissingFile()
    {
        using var temp = new TempFolder();
        string plugin = Path.Combine(temp.Path, "clamp-copy");
        CopyFolder(Path.Combine(FirstPartyFolder, "Diffusion.PostProcessing"), plugin);
        AddRuntimeDependency(Path.Combine(plugin, "Diffusion.PostProcessing.deps.json"), "Some.Helper/2.1.0", "lib/net8.0/Some.Helper.dll");

        // Beside the first-party stages (the host has none of its own), which keep working.
        var catalog = PluginDiscovery.Discover([new PluginSource(Path.Combine(FirstPartyFolder, "Diffusion.Stages"), "first-party"), new PluginSource(temp.Path, "pipeline")]);

        var problem = Assert.Single(catalog.Problems);
        Assert.Equal(Path.Combine(plugin, "Diffusion.PostProcessing.dll"), problem.Source);
        Assert.Contains("Some.Helper.dll", problem.Message);
        Assert.Contains("Some.Helper/2.1.0", problem.Message);
        Assert.Null(catalog.Find(PluginKind.PostProcessor, "clamp"));
        Assert.NotEmpty(catalog.NamesOf(PluginKind.Stage)); // the other plugins keep working
    }

    [Fact]
    public void AssembliesTheHostSharesNeedNotBeBesideThePlugin()
    {
        using var temp = new TempFolder();
        string plugin = Path.Combine(temp.Path, "clamp-copy");
        CopyFolder(Path.Combine(FirstPartyFolder, "Diffusion.PostProcessing"), plugin);
        string deps = Path.Combine(plugin, "Diffusion.PostProcessing.deps.json");
        AddRuntimeDependency(deps, "Diffusion.Abstractions/1.0.0", "Diffusion.Abstractions.dll");
        AddRuntimeDependency(deps, "Microsoft.Extensions.Logging.Abstractions/10.0.0", "lib/net10.0/Microsoft.Extensions.Logging.Abstractions.dll");

        var catalog = PluginDiscovery.Discover([new PluginSource(temp.Path, "pipeline")]);

        Assert.Empty(catalog.Problems);
        Assert.NotNull(catalog.Find(PluginKind.PostProcessor, "clamp"));
    }

    private static void AddRuntimeDependency(string depsFile, string library, string asset)
    {
        var json = JsonNode.Parse(File.ReadAllText(depsFile))!;
        foreach (var (_, target) in json["targets"]!.AsObject())
            target![library] = new JsonObject { ["runtime"] = new JsonObject { [asset] = new JsonObject() } };
        File.WriteAllText(depsFile, json.ToJsonString());
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
