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
        foreach (var (kind, name) in new[] { ("sampler", "ddpm"), ("denoiser", "unet2d"), ("modality", "image"), ("postprocessor", "clamp"), ("stage", "train"), ("stage", "sample"), ("stage", "postprocess"), ("stage", "evaluate"),
                     ("sampler", "flow-euler"), ("sampler", "flow-heun"), ("sampler", "flow-rk3"), ("modality", "latent"), ("stage", "train-autoencoder") })
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
        Assert.Contains("samplers:", result.Stdout);
        Assert.Contains("ddpm", result.Stdout);
        Assert.Contains("beta_schedule", result.Stdout);
    }

    [Fact]
    public void PluginsAreAlsoFoundInDiffusionPluginPathAndInFoldersAPipelineNames()
    {
        // A second copy of the first-party post-processors proves each folder is searched: the host reports the
        // duplicate, naming both files, and keeps working.
        using var work = new WorkDir();
        string firstParty = Path.Combine(Path.GetDirectoryName(Cli.Dll)!, "plugins", "Diffusion.PostProcessing");
        string copy = Path.Combine(work.Path, "extra", "Diffusion.PostProcessing");
        Directory.CreateDirectory(copy);
        foreach (string f in Directory.EnumerateFiles(firstParty)) File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));

        var fromEnvironment = Cli.Run(work.Path, new Dictionary<string, string> { ["DIFFUSION_PLUGIN_PATH"] = Path.Combine(work.Path, "extra") }, "plugins", "--verbose");
        string pipeline = work.File("p.yaml", RunCommandTests.Tiny.Replace("device: cpu", "device: cpu\nplugins: [extra]"));
        var fromPipeline = Cli.Run(work.Path, "validate", pipeline);

        Assert.Equal(0, fromEnvironment.ExitCode);
        Assert.Contains("two plugins are named postprocessor 'clamp'", fromEnvironment.Stderr);
        Assert.Contains(copy, fromEnvironment.Stderr);
        Assert.Contains("from " + Path.Combine(firstParty, "Diffusion.PostProcessing.dll"), fromEnvironment.Stdout);
        Assert.Equal(0, fromPipeline.ExitCode);
        Assert.Contains("two plugins are named postprocessor 'clamp'", fromPipeline.Stderr);
    }
}
