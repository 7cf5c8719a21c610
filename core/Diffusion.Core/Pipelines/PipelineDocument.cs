namespace Diffusion.Core.Pipelines;

/// <summary>
/// A loaded pipeline file: <c>extends</c> merged, <c>--set</c> overrides applied and <c>${...}</c> resolved,
/// not yet checked against plugins (see <see cref="PipelineBinder"/>).
/// </summary>
public sealed class PipelineDocument
{
    internal PipelineDocument(string filePath, string displayPath, PipelineMap root,
        IReadOnlyList<string> pluginFolders, IReadOnlyList<string> overrides, IReadOnlyList<PipelineError> overrideErrors)
    {
        OverrideErrors = overrideErrors;
        FilePath = filePath;
        DisplayPath = displayPath;
        Root = root;
        PluginFolders = pluginFolders;
        Overrides = overrides;
    }

    /// <summary>The absolute path of the pipeline file.</summary>
    public string FilePath { get; }

    /// <summary>The file as written in error locations (relative to the current directory when under it).</summary>
    public string DisplayPath { get; }

    /// <summary>The merged, resolved document (without <c>extends</c>).</summary>
    public PipelineMap Root { get; }

    /// <summary>
    /// The extra plugin folders of <c>plugins:</c>, made absolute (relative to the file that lists them, or to
    /// the current directory for a <c>--set</c> value), so the host can discover plugins before binding.
    /// </summary>
    public IReadOnlyList<string> PluginFolders { get; }

    /// <summary>Overrides that could not be applied; <see cref="PipelineBinder.Bind"/> reports them with its own errors.</summary>
    internal IReadOnlyList<PipelineError> OverrideErrors { get; }

    /// <summary>The <c>--set</c> overrides that were applied, in order.</summary>
    public IReadOnlyList<string> Overrides { get; }

    /// <summary>The node at a dotted path (<c>stages.train.steps</c>), or null.</summary>
    public PipelineNode? Find(string dottedPath)
    {
        var segments = PipelinePaths.Split(dottedPath);
        return segments is null ? null : PipelinePaths.Walk(Root, segments, segments.Length, out _);
    }

    /// <summary>The document as YAML text; loading it again gives the same values.</summary>
    public string ToYaml() => PipelineYamlWriter.Write(Root);
}
