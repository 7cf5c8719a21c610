namespace Diffusion.Tracking;

/// <summary>The rows of one statement of a free SQL query.</summary>
/// <param name="Columns">The column names.</param>
/// <param name="Rows">The rows (values as the backend gives them: long, double, string, byte[] or null).</param>
/// <param name="Truncated">True when more rows were left out than the limit allowed.</param>
public sealed record SqlResult(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<object?>> Rows, bool Truncated);
