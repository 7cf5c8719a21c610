namespace Diffusion.Core.Pipelines;

/// <summary>One problem found in a pipeline, printed as <c>FILE:LINE:COL: error: MESSAGE</c>.</summary>
public sealed record PipelineError(SourceLocation Location, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Location}: error: {Message}";
}
