using Diffusion.Core.Plugins;

namespace Diffusion.Core.Pipelines;

/// <summary>A named plugin instance with bound, validated options.</summary>
public sealed record ComponentSpec(string Name, PluginDescriptor Plugin, object? Options, SourceLocation Location);
