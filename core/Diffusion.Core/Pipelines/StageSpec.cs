using Diffusion.Core.Plugins;

namespace Diffusion.Core.Pipelines;

/// <summary>A named stage of a given type (a plugin of kind Stage) with bound, validated options.</summary>
public sealed record StageSpec(string Name, PluginDescriptor Type, object? Options, SourceLocation Location);
