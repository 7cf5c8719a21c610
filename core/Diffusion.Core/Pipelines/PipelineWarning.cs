namespace Diffusion.Core.Pipelines;

/// <summary>Something in a pipeline that works but should change (a deprecated key), printed as <c>FILE:LINE:COL: warning: MESSAGE</c>.</summary>
public sealed record PipelineWarning(SourceLocation Location, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Location}: warning: {Message}";
}
