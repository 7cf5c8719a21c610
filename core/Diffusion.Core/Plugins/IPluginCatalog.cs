using Diffusion.Abstractions.Plugins;

namespace Diffusion.Core.Plugins;

/// <summary>The plugins known to the host, by kind and name.</summary>
public interface IPluginCatalog
{
    /// <summary>All registered plugins, ordered by kind then name.</summary>
    IReadOnlyList<PluginDescriptor> All { get; }

    /// <summary>The plugin of a kind with a name, or null.</summary>
    PluginDescriptor? Find(PluginKind kind, string name);

    /// <summary>The names registered for a kind, sorted.</summary>
    IReadOnlyList<string> NamesOf(PluginKind kind);
}
