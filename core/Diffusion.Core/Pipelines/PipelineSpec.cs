namespace Diffusion.Core.Pipelines;

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

    /// <summary>The pipeline's <c>threads:</c> for libtorch, or null for auto (see <see cref="Host.ThreadSettings"/>).</summary>
    public int? Threads { get; init; }

    /// <summary>The extra plugin folders of <c>plugins:</c>, absolute.</summary>
    public IReadOnlyList<string> PluginFolders { get; init; } = [];

    /// <summary>The pipeline's <c>sweep:</c> block (run by <c>diffusion sweep</c>), or null.</summary>
    public Sweeps.SweepSpec? Sweep { get; init; }

    /// <summary>What binding noted without failing (deprecated option keys), in the order found; the CLI prints them.</summary>
    public IReadOnlyList<PipelineWarning> Warnings { get; init; } = [];
}
