namespace Diffusion.Tracking;

/// <summary>PostgreSQL's side of <see cref="SearchDialect"/>; text columns are <c>COLLATE "C"</c>, so text compares byte-wise as in SQLite.</summary>
internal sealed class PostgresSearchDialect : SearchDialect
{
    public static PostgresSearchDialect Instance { get; } = new();

    /// <summary>PostgreSQL's LIKE is case-sensitive; <c>ESCAPE ''</c> turns off its backslash escape (SQLite has none).</summary>
    public override string Like(string not, bool ignoreCase, string pattern, Func<object, string> bind) =>
        $"{{0}} {not}{(ignoreCase ? "ILIKE" : "LIKE")} {bind(pattern)} ESCAPE ''";

    /// <summary>PostgreSQL has a real NaN: a stored NaN (NULL) reads back as one, a missing key as NULL.</summary>
    public override string NaNWhereNull(string column) => $"coalesce({column}::float8, 'NaN'::float8)";

    /// <summary>As SQLite sorts mixed values: numbers before text ascending, text before numbers descending, missing last.</summary>
    public override string ParamOrder(string keyCondition, bool descending)
    {
        var direction = descending ? "DESC" : "ASC";
        return $"(SELECT CASE WHEN p.value_num IS NOT NULL THEN 0 ELSE 1 END FROM params p WHERE {keyCondition}) {direction} NULLS LAST, " +
               $"(SELECT p.value_num FROM params p WHERE {keyCondition}) {direction}, " +
               $"(SELECT p.value_text FROM params p WHERE {keyCondition}) {direction}";
    }
}
