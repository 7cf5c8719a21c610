using System.Text;

namespace Diffusion.Tracking;

/// <summary>SQLite's side of <see cref="SearchDialect"/>.</summary>
internal sealed class SqliteSearchDialect : SearchDialect
{
    public static SqliteSearchDialect Instance { get; } = new();

    /// <summary>SQLite's LIKE ignores ASCII case, so a case-sensitive LIKE becomes a GLOB.</summary>
    public override string Like(string not, bool ignoreCase, string pattern, Func<object, string> bind) =>
        ignoreCase ? $"{{0}} {not}LIKE {bind(pattern)}" : $"{{0}} {not}GLOB {bind(LikeToGlob(pattern))}";

    /// <summary>The text 'nan' tells a stored NaN from a missing key.</summary>
    public override string NaNWhereNull(string column) => $"coalesce({column}, 'nan')";

    /// <summary>SQLite sorts numbers before text: numeric params in numeric order, then text params.</summary>
    public override string ParamOrder(string keyCondition, bool descending) =>
        $"(SELECT coalesce(p.value_num, p.value_text) FROM params p WHERE {keyCondition}) {(descending ? "DESC" : "ASC")} NULLS LAST";

    /// <summary>A LIKE pattern as a GLOB: % and _ become * and ?, and GLOB's own wildcards are matched literally.</summary>
    private static string LikeToGlob(string pattern)
    {
        var glob = new StringBuilder(pattern.Length + 8);
        foreach (var c in pattern)
        {
            glob.Append(c switch
            {
                '%' => "*",
                '_' => "?",
                '*' => "[*]",
                '?' => "[?]",
                '[' => "[[]",
                _ => c.ToString(),
            });
        }

        return glob.ToString();
    }
}
