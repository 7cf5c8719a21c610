using Microsoft.Data.Sqlite;

namespace Diffusion.Tracking;

/// <summary>Runs a <see cref="RunSearch"/>: parses its three expressions, compiles them and reads the runs.</summary>
internal static class RunSearchQuery
{
    /// <summary>The SQL of a search and the fields of its extra columns (for tests and EXPLAIN).</summary>
    internal sealed record Compiled(string Sql, IReadOnlyList<(string Name, object? Value)> Parameters, IReadOnlyList<FilterField> Columns);

    public static RunSearchResult Run(SqliteConnection connection, RunSearch search)
    {
        var compiled = Compile(search);
        var rows = connection.Query(
            compiled.Sql,
            r => new RunSearchRow(
                RunQueries.ReadSummary(r),
                compiled.Columns.Select((field, i) => SearchSql.ReadColumn(field, r.GetValue(9 + i))).ToList()),
            [.. compiled.Parameters]);
        return new RunSearchResult(compiled.Columns.Select(c => c.Title).ToList(), rows);
    }

    /// <exception cref="FilterSyntaxException">An expression cannot be read; <see cref="FilterSyntaxException.Clause"/> says which.</exception>
    public static Compiled Compile(RunSearch search)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(search.Limit);
        ArgumentOutOfRangeException.ThrowIfNegative(search.Offset);
        var filter = InClause("filter", () => FilterParser.ParseFilter(search.Filter));
        var order = InClause("order-by", () => FilterParser.ParseOrderBy(search.OrderBy));
        var extra = InClause("columns", () => FilterParser.ParseFields(search.Columns));

        var sql = new SearchSql(SqliteSearchDialect.Instance);
        var where = InClause("filter", () => sql.Where(search.Filter ?? "", filter));
        var orderBy = InClause("order-by", () => sql.OrderBy(search.OrderBy ?? "", order));
        var columns = ColumnsOf(extra, filter, order);
        var selects = string.Concat(columns.Select(c => ", " + sql.Column(c)));
        var parameters = sql.Parameters.ToList();
        parameters.Add(("@deleted", search.Deleted ? 1 : 0));
        parameters.Add(("@experiment", search.Experiment));
        parameters.Add(("@parent", search.ParentRunId));
        parameters.Add(("@limit", search.Limit));
        parameters.Add(("@offset", search.Offset));
        var text = $"""
            SELECT {RunQueries.SummaryColumns}{selects}
            FROM {RunQueries.RunsWithExperiment}
            WHERE r.deleted = @deleted
              AND (@experiment IS NULL OR e.name = @experiment)
              AND (@parent IS NULL OR r.parent_run_id = @parent)
              AND {where}
            ORDER BY {(orderBy.Length > 0 ? orderBy + ", " : "")}r.start_time DESC, r.rowid DESC
            LIMIT @limit OFFSET @offset;
            """;
        return new Compiled(text, parameters, columns);
    }

    /// <summary>The columns asked for, then the params, metrics and tags the filter and order-by name; each once.</summary>
    internal static List<FilterField> ColumnsOf(List<FilterField> extra, FilterNode? filter, List<OrderKey> order)
    {
        var named = FieldsOf(filter).Concat(order.Select(o => o.Field)).Where(f => f.Kind != FieldKind.Attribute);
        return extra.Concat(named).DistinctBy(f => f.Title).ToList();
    }

    private static IEnumerable<FilterField> FieldsOf(FilterNode? node) => node switch
    {
        AndNode and => FieldsOf(and.Left).Concat(FieldsOf(and.Right)),
        OrNode or => FieldsOf(or.Left).Concat(FieldsOf(or.Right)),
        NotNode not => FieldsOf(not.Inner),
        ComparisonNode c => [c.Field],
        InNode i => [i.Field],
        LikeNode l => [l.Field],
        IsNullNode n => [n.Field],
        _ => [],
    };

    internal static T InClause<T>(string clause, Func<T> work)
    {
        try
        {
            return work();
        }
        catch (FilterSyntaxException e) when (e.Clause is null)
        {
            throw e.In(clause);
        }
    }
}
