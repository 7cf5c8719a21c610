namespace Diffusion.Abstractions.Options;

/// <summary>
/// Marks a string option whose value names a component of the pipeline; validation checks that the
/// component exists and is of the given kind.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ComponentRefAttribute(Plugins.PluginKind kind) : Attribute
{
    /// <summary>The kind of plugin the referenced component must be.</summary>
    public Plugins.PluginKind Kind { get; } = kind;
}
