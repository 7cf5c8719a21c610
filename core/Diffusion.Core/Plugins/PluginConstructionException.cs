namespace Diffusion.Core.Plugins;

/// <summary>A plugin's constructor failed; the message names the plugin, its file and the cause.</summary>
public sealed class PluginConstructionException(PluginDescriptor plugin, Exception cause)
    : Exception($"{plugin.Kind.ToString().ToLowerInvariant()} plugin '{plugin.Name}' ({plugin.Source}) could not be created: {cause.Message}", cause)
{
    /// <summary>The plugin that failed.</summary>
    public PluginDescriptor Plugin { get; } = plugin;
}
