namespace Diffusion.Abstractions.Plugins;

/// <summary>
/// Marks a class as a plugin the host registers. The class implements the contract of its
/// <see cref="PluginKind"/> and has a public constructor; when <see cref="Options"/> is set, the constructor
/// takes an instance of that type (bound from the pipeline file and validated) and may also take services
/// registered with the host.
/// </summary>
/// <example><code>
/// [Plugin(PluginKind.PostProcessor, "clamp", Options = typeof(ClampOptions), Description = "Clamps values to a range.")]
/// public sealed class ClampPostProcessor(ClampOptions options) : IPostProcessor { ... }
/// </code></example>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class PluginAttribute(PluginKind kind, string name) : Attribute
{
    /// <summary>The kind of plugin.</summary>
    public PluginKind Kind { get; } = kind;

    /// <summary>The name users write in pipelines (lower-case, words joined by '-'). Unique per kind.</summary>
    public string Name { get; } = name;

    /// <summary>The options type whose properties are the plugin's YAML keys; null when it has none.</summary>
    public Type? Options { get; init; }

    /// <summary>One line saying what the plugin does, shown by <c>diffusion plugins</c>.</summary>
    public string? Description { get; init; }
}
