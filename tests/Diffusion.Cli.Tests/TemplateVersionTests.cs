using System.Text.Json;
using System.Xml.Linq;

namespace Diffusion.Cli.Tests;

/// <summary>
/// What the plugin template copies from the repository stays equal to it: the Diffusion.Abstractions version its projects
/// ask for is the one <c>dotnet pack core/Diffusion.Abstractions</c> makes (a different one fails their restore: NU1102,
/// or NU1603 as an error), and the build step that lets TorchSharp's native library load on old libstdc++ is the
/// framework's own.
/// </summary>
public class TemplateVersionTests
{
    private static readonly string Template = Path.Combine(Cli.RepoRoot, "tools", "templates", "diffusion-plugin");

    /// <summary>The <c>&lt;Version&gt;</c> of core/Diffusion.Abstractions, which <c>dotnet pack</c> gives the package.</summary>
    public static string AbstractionsVersion()
    {
        var project = XDocument.Load(Path.Combine(Cli.RepoRoot, "core", "Diffusion.Abstractions", "Diffusion.Abstractions.csproj"));
        var versions = project.Descendants("Version").Select(v => v.Value.Trim()).ToList();
        Assert.True(versions.Count == 1, "core/Diffusion.Abstractions/Diffusion.Abstractions.csproj sets <Version> once");
        return versions[0];
    }

    [Fact]
    public void TheTemplatesDefaultAbstractionsVersionIsTheOneDotnetPackMakes()
    {
        using var template = JsonDocument.Parse(File.ReadAllText(Path.Combine(Template, ".template.config", "template.json")));
        string templateDefault = template.RootElement.GetProperty("symbols").GetProperty("abstractionsVersion").GetProperty("defaultValue").GetString()!;

        Assert.True(AbstractionsVersion() == templateDefault,
            $"core/Diffusion.Abstractions packs version {AbstractionsVersion()}, but the template asks for {templateDefault}: set symbols.abstractionsVersion.defaultValue in tools/templates/diffusion-plugin/.template.config/template.json");
    }

    [Fact]
    public void TheTemplatesNativeLibraryFixIsTheFrameworksOwn()
    {
        Assert.Equal(
            File.ReadAllText(Path.Combine(Cli.RepoRoot, "build", "MarkGlibcxxVersionWeak.cs")),
            File.ReadAllText(Path.Combine(Template, "build", "MarkGlibcxxVersionWeak.cs")));
    }
}
