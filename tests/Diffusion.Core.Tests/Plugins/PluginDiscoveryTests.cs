using System.Reflection;
using System.Runtime.Loader;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Samplers;
using Diffusion.Core.Plugins;

namespace Diffusion.Core.Tests.Plugins;

public class PluginDiscoveryTests
{
    private static readonly string FirstPartyFolder = Path.Combine(AppContext.BaseDirectory, "plugins");

    [Fact]
    public void FindsFirstPartyPluginsByDiscoveryIncludingTheStages()
    {
        var catalog = PluginDiscovery.Discover([new PluginSource(FirstPartyFolder, "first-party")]);

        Assert.Empty(catalog.Problems);
        Assert.NotNull(catalog.Find(PluginKind.Sampler, "ddpm"));
        Assert.NotNull(catalog.Find(PluginKind.Denoiser, "unet2d"));
        Assert.NotNull(catalog.Find(PluginKind.Modality, "image"));
        Assert.NotNull(catalog.Find(PluginKind.PostProcessor, "clamp"));
        var stages = catalog.NamesOf(PluginKind.Stage);
        // The stages every pipeline uses are a plugin too: the host has none of its own.
        string stagesPlugin = Path.Combine(FirstPartyFolder, "Diffusion.Stages", "Diffusion.Stages.dll");
        Assert.Equal(["compress", "distill", "evaluate", "lora", "lora-apply", "postprocess", "sample", "train"],
            stages.Where(name => catalog.Find(PluginKind.Stage, name)!.Source == stagesPlugin));
        Assert.Superset(new HashSet<string> { "inpaint", "sdedit", "superres", "infill" }, stages.ToHashSet()); // stages from other plugins
        Assert.Equal("Diffusion.Stages", catalog.Find(PluginKind.Stage, "train")!.Assembly);
        Assert.DoesNotContain(catalog.All, p => p.Implementation.Assembly == typeof(PluginDiscovery).Assembly);
    }

    [Fact]
    public void EachPluginAssemblyGetsItsOwnLoadContextButSharesTheContracts()
    {
        var catalog = PluginDiscovery.Discover([new PluginSource(FirstPartyFolder, "first-party")]);
        var ddpm = catalog.Find(PluginKind.Sampler, "ddpm")!;
        var unet = catalog.Find(PluginKind.Denoiser, "unet2d")!;

        var ddpmContext = AssemblyLoadContext.GetLoadContext(ddpm.Implementation.Assembly)!;
        Assert.NotSame(AssemblyLoadContext.Default, ddpmContext);
        Assert.NotSame(ddpmContext, AssemblyLoadContext.GetLoadContext(unet.Implementation.Assembly));
        // The contracts and TorchSharp resolve to the host's own assemblies, so Tensor and ISampler are one type.
        Assert.True(typeof(ISampler).IsAssignableFrom(ddpm.Implementation));
        Assert.Same(typeof(TorchSharp.torch).Assembly, ddpmContext.LoadFromAssemblyName(new AssemblyName("TorchSharp")));
        Assert.Same(typeof(ISampler).Assembly, ddpmContext.LoadFromAssemblyName(new AssemblyName("Diffusion.Abstractions")));
    }

    [Fact]
    public void CatalogRecordsKindNameOptionsAssemblyAndVersion()
    {
        var catalog = PluginDiscovery.Discover([new PluginSource(FirstPartyFolder, "first-party")]);
        var clamp = catalog.Find(PluginKind.PostProcessor, "clamp")!;

        Assert.Equal("Diffusion.PostProcessing", clamp.Assembly);
        Assert.Matches(@"^\d+\.\d+\.\d+", clamp.Version);
        Assert.Equal("ClampOptions", clamp.OptionsType!.Name);
        Assert.EndsWith("Diffusion.PostProcessing.dll", clamp.Source);
    }

    [Fact]
    public void TwoPluginsWithTheSameKindAndNameAreReportedNamingBothAssemblies()
    {
        using var temp = new TempFolder();
        CopyFolder(Path.Combine(FirstPartyFolder, "Diffusion.PostProcessing"), Path.Combine(temp.Path, "copy-a"));
        CopyFolder(Path.Combine(FirstPartyFolder, "Diffusion.PostProcessing"), Path.Combine(temp.Path, "copy-b"));

        var catalog = PluginDiscovery.Discover([new PluginSource(temp.Path, "pipeline")]);

        // One problem for each post-processor the assembly holds, each naming both copies.
        Assert.NotEmpty(catalog.Problems);
        Assert.All(catalog.Problems, problem =>
        {
            Assert.Contains("two plugins are named postprocessor", problem.Message);
            Assert.Contains("copy-a", problem.Message);
            Assert.Contains("copy-b", problem.Message);
        });
        Assert.Contains(catalog.Problems, problem => problem.Message.Contains("postprocessor 'clamp'", StringComparison.Ordinal));
        Assert.NotNull(catalog.Find(PluginKind.PostProcessor, "clamp")); // the first one still works
    }

    [Fact]
    public void AMissingPluginFolderIsAProblemNotACrash()
    {
        // Beside the first-party plugins (the host has no stages of its own), which keep working.
        var catalog = PluginDiscovery.Discover([new PluginSource(FirstPartyFolder, "first-party"), new PluginSource("/nonexistent/plugins-here", "pipeline")]);

        var problem = Assert.Single(catalog.Problems);
        Assert.Contains("does not exist", problem.Message);
        Assert.NotEmpty(catalog.NamesOf(PluginKind.Stage));
    }

    [Fact]
    public void AFileThatIsNotAnAssemblyIsReportedWithItsFile()
    {
        using var temp = new TempFolder();
        File.WriteAllText(Path.Combine(temp.Path, "Broken.dll"), "not an assembly");
        File.WriteAllText(Path.Combine(temp.Path, "Broken.deps.json"), "{}");

        var catalog = PluginDiscovery.Discover([new PluginSource(temp.Path, "pipeline")]);

        var problem = Assert.Single(catalog.Problems);
        Assert.EndsWith("Broken.dll", problem.Source);
        Assert.Contains("not a .NET assembly", problem.Message);
    }

    [Fact]
    public void AMalformedDepsFileIsReportedInsteadOfAbortingTheHost()
    {
        // The native dependency resolver aborts the whole process on such a file; discovery must catch it first.
        using var temp = new TempFolder();
        string plugin = Path.Combine(temp.Path, "clamp-copy");
        CopyFolder(Path.Combine(FirstPartyFolder, "Diffusion.PostProcessing"), plugin);
        File.WriteAllText(Path.Combine(plugin, "Diffusion.PostProcessing.deps.json"), "{}");

        var catalog = PluginDiscovery.Discover([new PluginSource(FirstPartyFolder, "first-party"), new PluginSource(temp.Path, "pipeline")]);

        var problem = Assert.Single(catalog.Problems);
        Assert.Contains("targets", problem.Message);
        Assert.NotEmpty(catalog.NamesOf(PluginKind.Stage));
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
