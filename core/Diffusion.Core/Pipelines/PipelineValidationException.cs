namespace Diffusion.Core.Pipelines;

/// <summary>Thrown with every error found, so a user sees them all at once.</summary>
public sealed class PipelineValidationException(IReadOnlyList<PipelineError> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    /// <summary>The errors, in file order.</summary>
    public IReadOnlyList<PipelineError> Errors { get; } = errors;
}
