namespace Diffusion.Tracking;

/// <summary>The runs a search found, with the values of its columns.</summary>
/// <param name="Columns">The extra columns' titles (<c>params.lr</c>, <c>metrics.train/loss.min</c>, ...).</param>
/// <param name="Rows">The runs, in order.</param>
public sealed record RunSearchResult(IReadOnlyList<string> Columns, IReadOnlyList<RunSearchRow> Rows);
