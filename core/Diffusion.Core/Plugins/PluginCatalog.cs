using Diffusion.Abstractions.Plugins;

namespace Diffusion.Core.Plugins;

/// <summary>The plugins known to the host: the catalog beside the DI container (keyed services do not list their keys).</summary>
public sealed class PluginCatalog : IPluginCatalog
{
    private readonly List<PluginDescriptor> _all;
    private readonly Dictionary<(PluginKind, string), PluginDescriptor> _byKey;

    internal PluginCatalog(IEnumerable<PluginDescriptor> descriptors, IReadOnlyList<PluginProblem> problems)
    {
        _all = descriptors.OrderBy(d => d.Kind).ThenBy(d => d.Name, StringComparer.Ordinal).ToList();
        _byKey = _all.ToDictionary(d => (d.Kind, d.Name));
        Problems = problems;
    }

    /// <inheritdoc />
    public IReadOnlyList<PluginDescriptor> All => _all;

    /// <summary>Assemblies and classes that could not be loaded, with the reason.</summary>
    public IReadOnlyList<PluginProblem> Problems { get; }

    /// <inheritdoc />
    public PluginDescriptor? Find(PluginKind kind, string name) => _byKey.GetValueOrDefault((kind, name));

    /// <inheritdoc />
    public IReadOnlyList<string> NamesOf(PluginKind kind) =>
        _all.Where(d => d.Kind == kind).Select(d => d.Name).ToList();
}
