using System.Text.Json;

namespace Diffusion.Cli.Tests;

public class PluginsCommandTests
{
    [Fact]
    public void JsonListsEveryFirstPartyPluginWithKindNameAssemblyVersionAndOptions()
    {
        var result = Cli.Run(Cli.RepoRoot, "plugins", "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var plugins = json.RootElement.EnumerateArray().ToList();
        foreach (var (kind, name) in new[] { ("scheduler", "ddpm"), ("denoiser", "unet2d"), ("modality", "image"), ("postprocessor", "clamp"), ("stage", "train"), ("stage", "sample"), ("stage", "postprocess"), ("stage", "evaluate") })
        {
            var plugin = plugins.SingleOrDefault(p => p.GetProperty("kind").GetString() == kind && p.GetProperty("name").GetString() == name);
            Assert.True(plugin.ValueKind == JsonValueKind.Object, $"{kind} {name} is missing from: {result.Stdout}");
            Assert.False(string.IsNullOrEmpty(plugin.GetProperty("assembly").GetString()));
            Assert.False(string.IsNullOrEmpty(plugin.GetProperty("version").GetString()));
        }
        var clamp = plugins.Single(p => p.GetProperty("name").GetString() == "clamp");
        var min = clamp.GetProperty("options").EnumerateArray().Single(o => o.GetProperty("key").GetString() == "min");
        Assert.Equal("-1.0", min.GetProperty("default").GetString());
    }

    [Fact]
    public void TextListingShowsOptionsWithDefaults()
    {
        var result = Cli.Run(Cli.RepoRoot, "plugins");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("schedulers:", result.Stdout);
        Assert.Contains("ddpm", result.Stdout);
        Assert.Contains("beta_schedule", result.Stdout);
    }
}
