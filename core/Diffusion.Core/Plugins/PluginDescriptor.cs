using Diffusion.Abstractions.Plugins;

namespace Diffusion.Core.Plugins;

/// <summary>One entry of the plugin catalog: what a plugin is and where it came from.</summary>
/// <param name="Kind">The plugin kind.</param>
/// <param name="Name">The name pipelines use.</param>
/// <param name="Implementation">The plugin class.</param>
/// <param name="OptionsType">The options class bound from YAML, or null when the plugin has no options.</param>
/// <param name="Assembly">The simple name of the assembly that holds it.</param>
/// <param name="Version">The assembly's informational version.</param>
/// <param name="Source">The file it was loaded from.</param>
/// <param name="Description">One line for listings.</param>
public sealed record PluginDescriptor(
    PluginKind Kind,
    string Name,
    Type Implementation,
    Type? OptionsType,
    string Assembly,
    string Version,
    string Source,
    string? Description);
