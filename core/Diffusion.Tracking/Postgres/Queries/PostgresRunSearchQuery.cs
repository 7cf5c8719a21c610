using Npgsql;

namespace Diffusion.Tracking;

/// <summary>Runs a <see cref="RunSearch"/> on PostgreSQL: the same parsed filter, compiled by <see cref="SearchSql"/> with <see cref="PostgresSearchDialect"/>.</summary>
internal static class PostgresRunSearchQuery
{
    public static RunSearchResult Run(NpgsqlConnection connection, RunSearch search)
    {
        var compiled = Compile(search);
        var rows = connection.Query(
            compiled.Sql,
            r => new RunSearchRow(
                PostgresRunQueries.ReadSummary(r),
                compiled.Columns.Select((field, i) => SearchSql.ReadColumn(field, r.IsDBNull(9 + i) ? null : r.GetValue(9 + i))).ToList()),
            [.. compiled.Parameters]);
        return new RunSearchResult(compiled.Columns.Select(c => c.Title).ToList(), rows);
    }

    /// <exception cref="FilterSyntaxException">An expression cannot be read; <see cref="FilterSyntaxException.Clause"/> says which.</exception>
    public static RunSearchQuery.Compiled Compile(RunSearch search)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(search.Limit);
        ArgumentOutOfRangeException.ThrowIfNegative(search.Offset);
        var filter = RunSearchQuery.InClause("filter", () => FilterParser.ParseFilter(search.Filter));
        var order = RunSearchQuery.InClause("order-by", () => FilterParser.ParseOrderBy(search.OrderBy));
        var extra = RunSearchQuery.InClause("columns", () => FilterParser.ParseFields(search.Columns));

        var sql = new SearchSql(PostgresSearchDialect.Instance);
        var where = RunSearchQuery.InClause("filter", () => sql.Where(search.Filter ?? "", filter));
        var orderBy = RunSearchQuery.InClause("order-by", () => sql.OrderBy(search.OrderBy ?? "", order));
        var columns = RunSearchQuery.ColumnsOf(extra, filter, order);
        var selects = string.Concat(columns.Select(c => ", " + sql.Column(c)));
        var parameters = sql.Parameters.ToList();
        parameters.Add(("@deleted", search.Deleted ? 1 : 0));
        parameters.Add(("@limit", search.Limit));
        parameters.Add(("@offset", search.Offset));
        if (search.Experiment is not null) parameters.Add(("@experiment", search.Experiment));
        if (search.ParentRunId is not null) parameters.Add(("@parent", search.ParentRunId));
        var text = $"""
            SELECT {RunQueries.SummaryColumns}{selects}
            FROM {RunQueries.RunsWithExperiment}
            WHERE r.deleted = @deleted
              {(search.Experiment is null ? "" : "AND e.name = @experiment")}
              {(search.ParentRunId is null ? "" : "AND r.parent_run_id = @parent")}
              AND {where}
            ORDER BY {(orderBy.Length > 0 ? orderBy + ", " : "")}r.start_time DESC, r.seq DESC
            LIMIT @limit OFFSET @offset;
            """;
        return new RunSearchQuery.Compiled(text, parameters, columns);
    }
}
