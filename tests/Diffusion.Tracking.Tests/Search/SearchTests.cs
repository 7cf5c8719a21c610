using Diffusion.Tracking.Tests.Support;

namespace Diffusion.Tracking.Tests.Search;

public abstract class SearchTests<TFixture>(TFixture runs) : IClassFixture<TFixture>
    where TFixture : SearchFixture
{
    [BackendTheory]
    [InlineData("params.stages.train.batch_size > 9", "beta gamma delta")]
    [InlineData("params.stages.train.batch_size >= 16 AND params.stages.train.batch_size < 100", "beta gamma")]
    [InlineData("params.stages.train.lr = 0.001", "beta delta")]
    [InlineData("params.stages.train.lr = 1e-3", "beta delta")]
    [InlineData("params.stages.train.lr < 5e-3", "alpha beta delta")]
    [InlineData("params.stages.train.lr != 0.001", "alpha gamma")]
    public void Numeric_params_compare_as_numbers(string filter, string expected) =>
        Assert.Equal(Expected(expected), runs.Names(filter));

    [BackendTheory]
    [InlineData("params.optimizer = 'adam'", "alpha gamma")]
    [InlineData("params.optimizer = \"sgd\"", "beta")]
    [InlineData("params.optimizer = '8'", "delta")]
    [InlineData("params.optimizer = 8", "")]
    [InlineData("params.optimizer IN ('sgd', '8')", "beta delta")]
    [InlineData("params.stages.train.batch_size IN (8, 128)", "alpha delta")]
    [InlineData("params.optimizer NOT IN ('adam')", "beta delta")]
    [InlineData("NOT params.optimizer IN ('adam')", "beta delta eps")]
    [InlineData("params.optimizer LIKE 'a%'", "alpha gamma")]
    [InlineData("params.optimizer IS NULL", "eps")]
    public void Text_params_compare_as_text(string filter, string expected) =>
        Assert.Equal(Expected(expected), runs.Names(filter));

    [BackendTheory]
    [InlineData("metrics.loss < 0.4", "beta gamma")]
    [InlineData("metrics.loss.last < 0.4", "beta gamma")]
    [InlineData("metrics.loss.min <= 0.2", "alpha gamma")]
    [InlineData("metrics.loss.max > 0.95", "alpha")]
    [InlineData("metrics.loss.count = 3", "alpha")]
    [InlineData("metrics.loss.step = 1", "beta gamma")]
    [InlineData("metrics.\"train/loss\" < 0.28", "beta delta")]
    [InlineData("metrics.`train/loss` < 0.28", "beta delta")]
    [InlineData("metrics.train/loss < 0.28", "beta delta")]
    [InlineData("metrics.loss IS NULL", "delta eps")]
    [InlineData("metrics.loss IS NOT NULL", "alpha beta gamma")]
    [InlineData("metrics.loss < '0.4'", "beta gamma")]
    public void Metrics_compare_their_last_min_max_step_or_count(string filter, string expected) =>
        Assert.Equal(Expected(expected), runs.Names(filter));

    [BackendTheory]
    [InlineData("tags.note = 'baseline'", "alpha")]
    [InlineData("tags.note LIKE '%ema%'", "delta")]
    [InlineData("tags.note ILIKE '%ema%'", "beta delta")]
    [InlineData("tags.note NOT LIKE '%ema%'", "alpha beta")]
    [InlineData("tags.note IS NOT NULL", "alpha beta delta")]
    [InlineData("tags.note LIKE 'EMA _n'", "beta")]
    public void Tags_compare_as_text_and_LIKE_is_case_sensitive(string filter, string expected) =>
        Assert.Equal(Expected(expected), runs.Names(filter));

    [BackendTheory]
    [InlineData("status = 'FAILED'", "gamma")]
    [InlineData("status = 'failed'", "gamma")]
    [InlineData("attributes.status != 'COMPLETED'", "gamma")]
    [InlineData("name IN ('alpha', 'eps')", "alpha eps")]
    [InlineData("name LIKE '%ta'", "beta delta")]
    [InlineData("duration > 50", "beta gamma delta")]
    [InlineData("duration >= '1m'", "beta gamma delta")]
    [InlineData("duration < '1m30s'", "alpha delta eps")]
    [InlineData("start_time >= '2023-11-14 22:15'", "gamma delta eps")]
    [InlineData("start_time < 1700000060000", "alpha")]
    [InlineData("experiment = 'search' AND seed = 42", "alpha beta gamma delta eps")]
    [InlineData("message IS NOT NULL", "gamma")]
    [InlineData("parent IS NOT NULL", "eps")]
    public void Attributes_compare_by_their_type(string filter, string expected) =>
        Assert.Equal(Expected(expected), runs.Names(filter));

    [BackendFact]
    public void Parent_filters_by_the_parent_run_id_in_either_spelling()
    {
        Assert.Equal(["eps"], runs.Names($"parent = '{runs.Ids["alpha"]}'"));
        Assert.Equal(["eps"], runs.Names($"parent_run_id = '{runs.Ids["alpha"]}'"));
        var children = runs.Store.SearchRuns(new RunSearch { ParentRunId = runs.Ids["alpha"] }).Rows;
        Assert.Equal("eps", Assert.Single(children).Run.Name);
    }

    [BackendTheory]
    [InlineData("params.optimizer = 'adam' OR params.optimizer = 'sgd' AND metrics.loss < 0.2", "alpha gamma")]
    [InlineData("(params.optimizer = 'adam' OR params.optimizer = 'sgd') AND metrics.loss < 0.2", "gamma")]
    [InlineData("NOT (status = 'COMPLETED')", "gamma")]
    [InlineData("not status = 'COMPLETED' or name = 'alpha'", "alpha gamma")]
    [InlineData("NOT NOT name = 'beta'", "beta")]
    [InlineData("metrics.loss < 0.2 OR tags.note = 'baseline' OR params.optimizer = '8'", "alpha gamma delta")]
    public void And_binds_tighter_than_or_and_parentheses_group(string filter, string expected) =>
        Assert.Equal(Expected(expected), runs.Names(filter));

    [BackendFact]
    public void Not_is_the_exact_complement_even_for_runs_without_the_key()
    {
        var all = runs.Names(null).Order().ToList();
        foreach (var filter in new[] { "metrics.loss < 0.4", "params.optimizer != 'adam'", "tags.note LIKE '%a%'", "duration > 50" })
        {
            var hits = runs.Names(filter);
            var misses = runs.Names($"NOT ({filter})");
            Assert.Equal(all, hits.Concat(misses).Order().ToList());
        }
    }

    [BackendFact]
    public void Order_by_sorts_numbers_numerically_with_missing_values_last()
    {
        // Ties (here the runs without a value) keep the default order: newest first.
        Assert.Equal(["gamma", "beta", "alpha", "eps", "delta"], runs.Names(null, "metrics.loss"));
        Assert.Equal(["alpha", "beta", "gamma", "eps", "delta"], runs.Names(null, "metrics.loss DESC"));
        Assert.Equal(["delta", "gamma", "beta", "alpha", "eps"], runs.Names(null, "params.stages.train.batch_size desc"));
        Assert.Equal(["gamma", "beta", "delta", "alpha", "eps"], runs.Names(null, "params.stages.train.lr DESC, name"));
        Assert.Equal(["eps", "delta", "gamma", "beta", "alpha"], runs.Names(null));
        Assert.Equal(["eps", "alpha", "delta", "beta", "gamma"], runs.Names(null, "duration"));
    }

    [BackendFact]
    public void Limit_and_deleted_runs()
    {
        var search = new RunSearch { OrderBy = "name", Limit = 2 };
        Assert.Equal(["alpha", "beta"], runs.Store.SearchRuns(search).Rows.Select(r => r.Run.Name));
        Assert.Empty(runs.Store.SearchRuns(new RunSearch { Deleted = true }).Rows);
    }

    [BackendFact]
    public void Columns_named_by_the_filter_and_order_come_back_typed()
    {
        var result = runs.Store.SearchRuns(new RunSearch
        {
            Filter = "params.stages.train.batch_size >= 16 AND metrics.\"train/loss\" IS NOT NULL",
            OrderBy = "metrics.loss.min",
            Columns = "params.optimizer, start_time",
        });

        Assert.Equal(["params.optimizer", "start_time", "params.stages.train.batch_size", "metrics.train/loss", "metrics.loss.min"], result.Columns);
        Assert.Equal(["beta", "delta"], result.Rows.Select(r => r.Run.Name));
        var beta = result.Rows[0].Values;
        Assert.Equal("sgd", beta[0]);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_060_000), beta[1]);
        Assert.Equal(16L, beta[2]);
        Assert.Equal(0.25, beta[3]);
        Assert.Equal(0.3, beta[4]);
        Assert.True(double.IsNaN((double)result.Rows[1].Values[4]!));
    }

    [BackendFact]
    public void User_text_is_bound_as_parameters_never_spliced_into_the_sql()
    {
        const string hostile = "x'); DROP TABLE runs; --";
        Assert.Empty(runs.Names($"name = '{hostile.Replace("'", "''")}'"));
        Assert.Empty(runs.Names($"params.\"{hostile}\" = 1"));
        Assert.Empty(runs.Names($"tags.`a``b` LIKE '{hostile.Replace("'", "''")}'"));

        var compiled = RunSearchQuery.Compile(new RunSearch { Filter = $"name = '{hostile.Replace("'", "''")}' AND params.\"{hostile}\" > 1" });
        Assert.DoesNotContain("DROP", compiled.Sql);
        Assert.Contains(compiled.Parameters, p => Equals(p.Value, hostile));
        Assert.Equal(5, runs.Names(null).Count);
    }

    /// <summary>The fixture, for backend-specific tests in a subclass.</summary>
    protected TFixture Fixture => runs;

    private List<string> Expected(string names)
    {
        var expected = names.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        // The search returns newest first; the fixture made the runs in this order.
        return runs.Names(null).Where(expected.Contains).ToList();
    }
}

public sealed class SqliteSearchTests(SqliteSearchFixture runs) : SearchTests<SqliteSearchFixture>(runs)
{
    [Fact]
    public void A_filter_over_many_keys_uses_the_key_indexes()
    {
        var compiled = RunSearchQuery.Compile(new RunSearch
        {
            Filter = "metrics.loss < 1 AND params.optimizer = 'adam' OR tags.note = 'x'",
            OrderBy = "metrics.loss",
        });
        using var connection = ((SqliteTestDatabase)Fixture.Database).File.Raw();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + compiled.Sql;
        foreach (var (name, value) in compiled.Parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        using var reader = command.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read()) plan.Add(reader.GetString(3));

        // One primary-key lookup per run and key: no scan of a key table, never the metrics table.
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal) && step != "SCAN r");
        Assert.DoesNotContain(plan, step => step.Contains("metrics", StringComparison.Ordinal));
        Assert.Contains("SEARCH m USING PRIMARY KEY (run_id=? AND key=?)", plan);
    }
}

public sealed class PostgresSearchTests(PostgresSearchFixture runs) : SearchTests<PostgresSearchFixture>(runs), IPostgresTests;
