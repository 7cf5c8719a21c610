namespace Diffusion.Tracking.Tests.Search;

public sealed class FilterSyntaxTests
{
    [Theory]
    [InlineData("metrics.loss < AND status = 'COMPLETED'", "AND", "expected a value after '<'")]
    [InlineData("params.lr > 0.1 status = 'FAILED'", "status", "join conditions with AND or OR")]
    [InlineData("(params.lr > 0.1", "", "expected ')' to close the '(' at column 1")]
    [InlineData("params.lr > 0.1)", ")", "no '(' for it to close")]
    [InlineData("stauts = 'FAILED'", "stauts", "did you mean 'status'?")]
    [InlineData("metrics.train/loss rate < 1", "rate", "expected a comparison after metrics.train/loss")]
    [InlineData("metrics. < 1", "<", "expected a key after '.'")]
    [InlineData("params < 1", "<", "expected '.' and a key after 'params'")]
    [InlineData("name = alpha", "alpha", "write 'alpha' for the text alpha")]
    [InlineData("name = 'alpha", "'alpha", "unterminated string")]
    [InlineData("metrics.\"train/loss < 1", "\"train/loss < 1", "unterminated quoted text")]
    [InlineData("params.lr ! 1", "!", "write != for 'not equal'")]
    [InlineData("params.lr IN 1, 2", "1", "expected '(' after IN")]
    [InlineData("params.lr IN (1 2)", "2", "expected ',' or ')' in the IN list")]
    [InlineData("params.lr = NULL", "NULL", "IS NULL")]
    [InlineData("params.lr IS 1", "1", "expected NULL after IS")]
    [InlineData("params.lr NOT = 1", "=", "expected IN or LIKE after NOT")]
    [InlineData("metrics.loss < 'low'", "'low'", "metrics.loss is a number")]
    [InlineData("metrics.loss LIKE '1%'", "metrics.loss", "LIKE compares text")]
    [InlineData("status = 'DONE'", "'DONE'", "unknown status 'DONE'")]
    [InlineData("start_time > 'yesterday'", "'yesterday'", "UTC time")]
    [InlineData("duration > '5 minutes'", "'5 minutes'", "expected a duration")]
    [InlineData("params.lr LIKE 5", "5", "LIKE takes a quoted pattern")]
    [InlineData("params.lr = 1.2.3", ".", "join conditions with AND or OR")]
    [InlineData("params.lr = 12abc", "12abc", "is not a number")]
    [InlineData("params.lr = 1 # 2", "#", "unexpected character '#'")]
    [InlineData("AND params.lr = 1", "AND", "expected a field")]
    [InlineData("", "", "")]
    public void A_bad_filter_points_at_the_bad_token(string filter, string token, string message)
    {
        if (filter.Length == 0)
        {
            Assert.Null(FilterParser.ParseFilter(filter));
            return;
        }

        var error = Assert.Throws<FilterSyntaxException>(() => RunSearchQuery.Compile(new RunSearch { Filter = filter }));
        Assert.Contains(message, error.Message);
        Assert.Equal("filter", error.Clause);
        var pointed = error.Start >= filter.Length ? "" : filter.Substring(error.Start, Math.Min(error.Length, filter.Length - error.Start));
        Assert.Equal(token, pointed);
    }

    [Fact]
    public void Render_puts_carets_under_the_bad_token()
    {
        var error = Assert.Throws<FilterSyntaxException>(() => FilterParser.ParseFilter("metrics.loss < AND status = 'COMPLETED'"));
        var lines = error.Render("  ").Split(Environment.NewLine);
        Assert.Equal(3, lines.Length);
        Assert.Equal("  metrics.loss < AND status = 'COMPLETED'", lines[1]);
        Assert.Equal("                 ^^^", lines[2]);
    }

    [Fact]
    public void A_missing_end_is_pointed_at_just_past_the_text()
    {
        var error = Assert.Throws<FilterSyntaxException>(() => FilterParser.ParseFilter("params.lr >"));
        Assert.Equal(11, error.Start);
        Assert.EndsWith("           ^", error.Render(""));
    }

    [Theory]
    [InlineData("metrics.loss", "metrics.loss", false)]
    [InlineData("metrics.\"train/loss\".min DESC", "metrics.train/loss.min", true)]
    [InlineData("metrics.\"eval.min\"", "metrics.eval.min", false)]
    [InlineData("params.stages.0.steps asc", "params.stages.0.steps", false)]
    [InlineData("attributes.start_time DESC", "start_time", true)]
    [InlineData("created", "start_time", false)]
    public void Order_by_keys_read_fields_and_directions(string text, string title, bool descending)
    {
        var key = Assert.Single(FilterParser.ParseOrderBy(text));
        Assert.Equal(title, key.Field.Title);
        Assert.Equal(descending, key.Descending);
    }

    [Fact]
    public void A_quoted_last_segment_is_a_key_not_an_aggregate()
    {
        var field = Assert.Single(FilterParser.ParseOrderBy("metrics.\"eval.min\""));
        Assert.Equal(("eval.min", MetricAggregate.Last), (field.Field.Key, field.Field.Aggregate));
        var aggregate = Assert.Single(FilterParser.ParseOrderBy("metrics.eval.min"));
        Assert.Equal(("eval", MetricAggregate.Min), (aggregate.Field.Key, aggregate.Field.Aggregate));
    }

    [Fact]
    public void Errors_in_order_by_and_columns_say_which_clause()
    {
        var order = Assert.Throws<FilterSyntaxException>(() => RunSearchQuery.Compile(new RunSearch { OrderBy = "metrics.loss DESCENDING" }));
        Assert.Equal("order-by", order.Clause);
        var columns = Assert.Throws<FilterSyntaxException>(() => RunSearchQuery.Compile(new RunSearch { Columns = "params.lr metrics.loss" }));
        Assert.Equal("columns", columns.Clause);
    }
}
