namespace Diffusion.Core.Pipelines;

/// <summary>Collects the errors of one load or bind so that they are all reported together.</summary>
internal sealed class PipelineErrors
{
    private readonly List<PipelineError> _errors = [];

    public int Count => _errors.Count;

    public void Add(SourceLocation location, string message)
    {
        var error = new PipelineError(location, message);
        if (!_errors.Contains(error))
            _errors.Add(error);
    }

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
