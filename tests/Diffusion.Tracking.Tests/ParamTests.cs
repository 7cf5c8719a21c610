using Diffusion.Tracking.Tests.Support;

namespace Diffusion.Tracking.Tests;

public abstract class ParamTests : IDisposable
{
    private readonly TestDatabase _db;
    private readonly ITrackingStore _store;

    protected ParamTests(TestDatabase db)
    {
        _db = db;
        _store = db.Open();
    }

    public enum SamplerKind
    {
        EulerAncestral,
        DDIMSampler,
    }

    public void Dispose()
    {
        _store.Dispose();
        _db.Dispose();
    }

    [BackendFact]
    public void Params_round_trip_with_their_types()
    {
        using var run = _store.StartRun(TestOptions.Run());
        run.LogParams(new Dictionary<string, object>
        {
            ["steps"] = 1000,
            ["big"] = long.MaxValue,
            ["lr"] = 0.001,
            ["beta"] = 0.1f,
            ["scale"] = 2.5m,
            ["ema"] = true,
            ["sampler"] = SamplerKind.DDIMSampler,
            ["sizes"] = new[] { 1, 2 },
            ["names"] = new List<string> { "a", "b\"c" },
            ["model"] = "unet",
        });
        run.Flush();

        var stored = _store.FindRun(run.RunId)!.Params.ToDictionary(p => p.Key);
        Assert.Equal(new ParamValue("steps", 1000L, "int"), stored["steps"]);
        Assert.Equal(new ParamValue("big", long.MaxValue, "int"), stored["big"]);
        Assert.Equal(new ParamValue("lr", 0.001, "float"), stored["lr"]);
        Assert.Equal(new ParamValue("beta", 0.1, "float"), stored["beta"]);
        Assert.Equal(new ParamValue("scale", 2.5, "float"), stored["scale"]);
        Assert.Equal(new ParamValue("ema", true, "bool"), stored["ema"]);
        Assert.Equal(new ParamValue("sampler", "ddim_sampler", "string"), stored["sampler"]);
        Assert.Equal(new ParamValue("sizes", "[1, 2]", "string"), stored["sizes"]);
        Assert.Equal(new ParamValue("names", "[\"a\", \"b\\\"c\"]", "string"), stored["names"]);
        Assert.Equal(new ParamValue("model", "unet", "string"), stored["model"]);
    }

    [BackendFact]
    public void Numeric_params_are_stored_as_numbers_so_queries_compare_them_numerically()
    {
        using var run = _store.StartRun(TestOptions.Run());
        run.LogParam("a", 9);
        run.LogParam("b", 10);
        run.LogParam("c", 9.5);
        run.LogParam("d", "100");
        run.Flush();

        // As text, '9' > '10' and '9.5' > '10'; as numbers only b is above 9.5.
        var above = _db.Rows("SELECT key FROM params WHERE run_id = @id AND value_num > 9.5 ORDER BY key;", ("@id", run.RunId));
        Assert.Equal(["b"], above.Select(r => (string)r[0]!));
        Assert.Equal(9.0, _db.Scalar("SELECT value_num FROM params WHERE run_id = @id AND key = 'a';", ("@id", run.RunId)));
        Assert.Null(_db.Scalar("SELECT value_num FROM params WHERE run_id = @id AND key = 'd';", ("@id", run.RunId)));
    }

    [BackendFact]
    public void Logging_a_param_again_replaces_it()
    {
        using var run = _store.StartRun(TestOptions.Run());
        run.LogParam("lr", 0.1);
        run.LogParam("lr", 3);
        run.Flush();

        Assert.Equal(new ParamValue("lr", 3L, "int"), Assert.Single(_store.FindRun(run.RunId)!.Params));
    }

    [BackendFact]
    public void A_list_changed_after_logging_is_recorded_as_it_was()
    {
        using var run = _store.StartRun(TestOptions.Run());
        var sizes = new List<int> { 1 };
        run.LogParam("sizes", sizes);
        sizes.Add(2);
        run.Flush();

        Assert.Equal("[1]", Assert.Single(_store.FindRun(run.RunId)!.Params).Value);
    }

    [BackendTheory]
    [InlineData("Linear", "linear")]
    [InlineData("ScaledLinear", "scaled_linear")]
    [InlineData("DDIMSampler", "ddim_sampler")]
    [InlineData("Cosine2", "cosine2")]
    [InlineData("HTTPServer2Go", "http_server2_go")]
    public void Enum_names_become_snake_case(string name, string expected) =>
        Assert.Equal(expected, ParamEncoding.SnakeCase(name));

    [BackendFact]
    public void Other_values_are_encoded_in_invariant_text()
    {
        Assert.Equal(new EncodedParam("NaN", null, "float"), ParamEncoding.Encode(double.NaN));
        Assert.Equal(new EncodedParam("false", 0, "bool"), ParamEncoding.Encode(false));
        Assert.Equal(new EncodedParam("null", null, "string"), ParamEncoding.Encode(null));
        Assert.Equal("{\"a\": [0.5, true], \"b\": null}", ParamEncoding.Encode(new SortedDictionary<string, object?> { ["a"] = new object[] { 0.5, true }, ["b"] = null }).Text);
        Assert.Equal("[\"euler_ancestral\"]", ParamEncoding.Encode(new[] { SamplerKind.EulerAncestral }).Text);
        Assert.Equal("00:01:30", ParamEncoding.Encode(TimeSpan.FromSeconds(90)).Text);
    }
}

public sealed class SqliteParamTests() : ParamTests(new SqliteTestDatabase());

public sealed class PostgresParamTests() : ParamTests(new PostgresTestDatabase()), IPostgresTests;
