using Diffusion.Core.Pipelines;
using Diffusion.Core.Plugins;

namespace Diffusion.Tests.Shared;

/// <summary>A pipeline small enough to train, sample and evaluate in seconds, loaded the way the CLI loads it.</summary>
internal static class TinyPipeline
{
    public static string Yaml { get; } = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Shared", "tiny.yaml"));

    public static PipelineSpec Load(TempFolder folder, params string[] overrides)
    {
        string path = folder.File("tiny.yaml", Yaml);
        var document = PipelineLoader.Load(path, overrides);
        var catalog = PluginDiscovery.Discover(PluginSource.Defaults(document.PluginFolders));
        return PipelineBinder.Bind(document, catalog);
    }
}
