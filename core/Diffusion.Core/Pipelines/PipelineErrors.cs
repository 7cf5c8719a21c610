namespace Diffusion.Core.Pipelines;

/// <summary>Collects the errors (and warnings) of one load or bind so that they are all reported together.</summary>
internal sealed class PipelineErrors
{
    private readonly List<PipelineError> _errors = [];
    private readonly List<PipelineWarning> _warnings = [];

    public int Count => _errors.Count;

    public void Add(SourceLocation location, string message)
    {
        var error = new PipelineError(location, message);
        if (!_errors.Contains(error))
            _errors.Add(error);
    }

    /// <summary>Notes something that works but should change (a deprecated key); it does not stop the pipeline.</summary>
    public void Warn(SourceLocation location, string message)
    {
        var warning = new PipelineWarning(location, message);
        if (!_warnings.Contains(warning))
            _warnings.Add(warning);
    }

    /// <summary>The warnings, in the order found.</summary>
    public IReadOnlyList<PipelineWarning> Warnings => _warnings;

    /// <summary>
    /// The errors sorted by file, line and column (stable, so one place keeps the order found); errors in
    /// <c>--set</c> values come after those in files, as overrides are applied after the files.
    /// </summary>
    public IReadOnlyList<PipelineError> Sorted() =>
        _errors.OrderBy(e => e.Location.File == PipelineOverrides.SourceName ? 1 : 0)
            .ThenBy(e => e.Location.File, StringComparer.Ordinal)
            .ThenBy(e => e.Location.Line)
            .ThenBy(e => e.Location.Column)
            .ToList();

    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
            throw new PipelineValidationException(Sorted());
    }
}
