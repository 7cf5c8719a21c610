using Diffusion.Core.Plugins;

namespace Diffusion.Core.Pipelines;

/// <summary>A place in a pipeline file (1-based line and column).</summary>
public sealed record SourceLocation(string File, int Line, int Column)
{
    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>One problem found in a pipeline, printed as <c>FILE:LINE:COL: error: MESSAGE</c>.</summary>
public sealed record PipelineError(SourceLocation Location, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Location}: error: {Message}";
}

/// <summary>Something in a pipeline that works but should change (a deprecated key), printed as <c>FILE:LINE:COL: warning: MESSAGE</c>.</summary>
public sealed record PipelineWarning(SourceLocation Location, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Location}: warning: {Message}";
}

/// <summary>Thrown with every error found, so a user sees them all at once.</summary>
public sealed class PipelineValidationException(IReadOnlyList<PipelineError> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    /// <summary>The errors, in file order.</summary>
    public IReadOnlyList<PipelineError> Errors { get; } = errors;
}

/// <summary>A named plugin instance with bound, validated options.</summary>
public sealed record ComponentSpec(string Name, PluginDescriptor Plugin, object? Options, SourceLocation Location);

/// <summary>A named stage of a given type (a plugin of kind Stage) with bound, validated options.</summary>
public sealed record StageSpec(string Name, PluginDescriptor Type, object? Options, SourceLocation Location);

/// <summary>A typed, validated pipeline ready to run.</summary>
/// <param name="FilePath">The pipeline file the user named.</param>
/// <param name="ResolvedText">The merged document (extends, overrides and interpolation applied) as YAML.</param>
/// <param name="Name">The pipeline's name (defaults to the file name without extension).</param>
/// <param name="Seed">The run seed.</param>
/// <param name="Device">auto, cpu or cuda.</param>
/// <param name="Components">Components in file order.</param>
/// <param name="Stages">Stages in run order.</param>
/// <param name="Params">Every resolved option as (dotted path, typed value), defaults included: what tracking records.</param>
public sealed record PipelineSpec(
    string FilePath,
    string ResolvedText,
    string Name,
    long Seed,
    string Device,
    IReadOnlyList<ComponentSpec> Components,
    IReadOnlyList<StageSpec> Stages,
    IReadOnlyList<KeyValuePair<string, object>> Params)
{
    /// <summary>The pipeline's <c>description</c>, or null.</summary>
    public string? Description { get; init; }

    /// <summary>The pipeline's <c>tags</c> (values as text), in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];

    /// <summary>The extra plugin folders of <c>plugins:</c>, absolute.</summary>
    public IReadOnlyList<string> PluginFolders { get; init; } = [];

    /// <summary>The pipeline's <c>sweep:</c> block (run by <c>diffusion sweep</c>), or null.</summary>
    public Sweeps.SweepSpec? Sweep { get; init; }

    /// <summary>What binding noted without failing (deprecated option keys), in the order found; the CLI prints them.</summary>
    public IReadOnlyList<PipelineWarning> Warnings { get; init; } = [];
}
