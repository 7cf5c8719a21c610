namespace Diffusion.Tracking;

/// <summary>
/// Where a backend's SQL differs in what <see cref="SearchSql"/> writes, so that a filter gives the same runs on
/// every backend: case-sensitive LIKE, telling a NaN from a missing metric, and sorting params that hold numbers
/// and text (numbers first in numeric order, then text; descending reverses both; missing last).
/// </summary>
internal abstract class SearchDialect
{
    /// <summary>
    /// A LIKE test with <c>{0}</c> standing for the value: <c>%</c> and <c>_</c> are the only wildcards (no escape
    /// character), case-sensitive unless <paramref name="ignoreCase"/> (ASCII case).
    /// </summary>
    /// <param name="not"><c>"NOT "</c> or empty.</param>
    /// <param name="ignoreCase">ILIKE.</param>
    /// <param name="pattern">The pattern as the user wrote it.</param>
    /// <param name="bind">Binds a value and returns its parameter name.</param>
    public abstract string Like(string not, bool ignoreCase, string pattern, Func<object, string> bind);

    /// <summary>A metric column's value for display: NaN where it is NULL (a stored NaN).</summary>
    public abstract string NaNWhereNull(string column);

    /// <summary>ORDER BY terms for a param, given the condition that picks its row from <c>params p</c>.</summary>
    public abstract string ParamOrder(string keyCondition, bool descending);
}
