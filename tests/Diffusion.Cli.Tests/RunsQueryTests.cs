using System.Security.Cryptography;
using System.Text.Json;
using SkiaSharp;

namespace Diffusion.Cli.Tests;

public sealed class RunsQueryTests : IDisposable
{
    private readonly RunsDatabase _db = new();
    private readonly string _small, _large, _sgd;

    public RunsQueryTests()
    {
        _small = _db.Add("small", [("stages.train.lr", 0.0001), ("stages.train.batch_size", 8), ("optimizer", "adam")],
            [("train/loss", [1.0, 0.4, 0.5]), ("eval/acc", [0.7])], [("note", "baseline")]);
        _large = _db.Add("large", [("stages.train.lr", 0.01), ("stages.train.batch_size", 64), ("optimizer", "adam")],
            [("train/loss", [0.9, 0.2]), ("eval/acc", [0.8])]);
        _sgd = _db.Add("sgd", [("stages.train.lr", 0.001), ("stages.train.batch_size", 16), ("optimizer", "sgd")],
            [("train/loss", [0.8, 0.3]), ("eval/acc", [0.9])], parent: _small);
    }

    public void Dispose() => _db.Dispose();

    [Fact]
    public void ListFiltersWithNumericParamsOrAndQuotedMetricKeysAndOrders()
    {
        var list = _db.Run("runs", "list", "--filter", "params.stages.train.batch_size > 9 OR metrics.\"train/loss\" > 0.45", "--order-by", "metrics.`train/loss` DESC", "--json");

        Assert.True(list.ExitCode == 0, list.Stderr);
        var runs = JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal([_small, _sgd, _large], runs.Select(r => r.GetProperty("id").GetString()));
        Assert.Equal(0.3, runs[1].GetProperty("columns").GetProperty("metrics.train/loss").GetDouble());
        Assert.Equal(16, runs[1].GetProperty("columns").GetProperty("params.stages.train.batch_size").GetInt32());
    }

    [Fact]
    public void ListShowsTheKeysItFiltersOnAsColumnsAndHonoursLimit()
    {
        var text = _db.Run("runs", "list", "--filter", "params.optimizer = 'adam'", "--order-by", "metrics.train/loss.min", "--limit", "1");

        Assert.True(text.ExitCode == 0, text.Stderr);
        var lines = text.Stdout.TrimEnd().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Contains("params.optimizer", lines[0]);
        Assert.Contains("metrics.train/loss.min", lines[0]);
        Assert.StartsWith(_large, lines[1]);
        Assert.Contains("0.2", lines[1]);
    }

    [Fact]
    public void ListCsvHasAHeaderAndOneLinePerRun()
    {
        var csv = _db.Run("runs", "list", "--csv", "--columns", "params.stages.train.lr", "--order-by", "params.stages.train.lr");

        Assert.True(csv.ExitCode == 0, csv.Stderr);
        var lines = csv.Stdout.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal("id,name,experiment,status,start_time,end_time,duration_seconds,seed,parent_run_id,message,params.stages.train.lr", lines[0]);
        Assert.Equal([_small, _sgd, _large], lines.Skip(1).Select(l => l.Split(',')[0]));
        Assert.EndsWith(",0.0001", lines[1]);
    }

    [Fact]
    public void ListByParentFindsTheChildren()
    {
        var children = _db.Run("runs", "list", "--parent", _small[..6], "--json");
        Assert.Equal([_sgd], JsonDocument.Parse(children.Stdout).RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        var byFilter = _db.Run("runs", "list", "--filter", $"parent = '{_small}'", "--json");
        Assert.Equal([_sgd], JsonDocument.Parse(byFilter.Stdout).RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetString()));
    }

    [Fact]
    public void ABadFilterShowsACaretUnderTheBadTokenAndExits2()
    {
        var bad = _db.Run("runs", "list", "--filter", "params.lr > AND status = 'COMPLETED'");

        Assert.Equal(2, bad.ExitCode);
        var lines = bad.Stderr.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.StartsWith("error: --filter: expected a value after '>'", lines[0]);
        Assert.Equal("  params.lr > AND status = 'COMPLETED'", lines[1]);
        Assert.Equal("              ^^^", lines[2]);
        Assert.DoesNotContain("   at ", bad.Stderr);

        var order = _db.Run("runs", "list", "--order-by", "metrics.loss SIDEWAYS");
        Assert.Equal(2, order.ExitCode);
        Assert.StartsWith("error: --order-by:", order.Stderr);
    }

    [Fact]
    public void ABadFilterIsAnErrorEvenBeforeAnyRunIsRecorded()
    {
        string empty = Directory.CreateTempSubdirectory("diffusion-nodb-").FullName;
        try
        {
            var bad = Cli.Run(empty, "runs", "list", "--filter", "params.lr > AND status = 'COMPLETED'");
            Assert.Equal(2, bad.ExitCode);
            Assert.StartsWith("error: --filter: expected a value after '>'", bad.Stderr);

            var fine = Cli.Run(empty, "runs", "list", "--filter", "params.lr > 0.1");
            Assert.Equal(0, fine.ExitCode);
            Assert.Contains("no runs yet", fine.Stderr);
            Assert.False(File.Exists(Path.Combine(empty, "runs", "tracking.db")), "listing must not create a database");
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public void CompareShowsOnlyTheParamsThatDifferAndFinalAndBestMetrics()
    {
        var compare = _db.Run("runs", "compare", _small, _large[..5], "--maximize", "eval/acc", "--json");

        Assert.True(compare.ExitCode == 0, compare.Stderr);
        var json = JsonDocument.Parse(compare.Stdout).RootElement;
        var parameters = json.GetProperty("params").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["stages.train.batch_size", "stages.train.lr"], parameters);
        var loss = json.GetProperty("metrics").GetProperty("train/loss");
        Assert.Equal([0.5, 0.2], loss.GetProperty("final").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal([0.4, 0.2], loss.GetProperty("best").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal(_large, loss.GetProperty("best_run").GetString());
        Assert.Equal(_large, json.GetProperty("metrics").GetProperty("eval/acc").GetProperty("best_run").GetString());

        var text = _db.Run("runs", "compare", _small, _large);
        Assert.Contains("params that differ (1 equal ones hidden)", text.Stdout);
        Assert.DoesNotContain("optimizer", text.Stdout);
        Assert.Contains("0.5 / 0.4", text.Stdout);
        Assert.Contains("0.2 / 0.2 *", text.Stdout);
    }

    [Fact]
    public void PlotWritesAPngWithOneColouredLinePerRun()
    {
        var plot = _db.Run("runs", "plot", _small, _large, "--metric", "train/loss", "--out", "charts/loss.png", "--width", "400", "--height", "300");

        Assert.True(plot.ExitCode == 0, plot.Stderr);
        var (width, height, rgb) = ReadPng(Path.Combine(_db.Work.Path, "charts", "loss.png"));
        Assert.Equal((400, 300), (width, height));
        // The first two colours of the palette, each drawn as a line of many pixels.
        Assert.True(Count(rgb, 31, 119, 180) > 100);
        Assert.True(Count(rgb, 255, 127, 14) > 100);

        var missing = _db.Run("runs", "plot", _small, "--metric", "val/loss", "--out", "x.png");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("has no metric 'val/loss'; its metrics: eval/acc, train/loss", missing.Stderr);
    }

    [Fact]
    public void PlotDrawsSeveralMetricsSmoothedOnALogAxisAsSvgWithALegend()
    {
        var plot = _db.Run("runs", "plot", _small, _large, "--metric", "train/loss", "--metric", "eval/acc", "--log-y", "--smooth", "0.6",
            "--out", "charts/both.svg");

        Assert.True(plot.ExitCode == 0, plot.Stderr);
        Assert.Contains("(2 runs, 7 points)", plot.Stdout);
        var svg = File.ReadAllText(Path.Combine(_db.Work.Path, "charts", "both.svg"));
        Assert.Equal("svg", System.Xml.Linq.XDocument.Parse(svg).Root!.Name.LocalName);
        // A legend entry for each run and metric, axis labels, and the title.
        foreach (var text in new[] { $"{_small} small: train/loss", $"{_large} large: eval/acc", "step", "value (log scale)", "train/loss, eval/acc" })
            Assert.Contains(text, svg);

        var same = _db.Run("runs", "plot", _small, "--metric", "train/loss", "--out", "a.png");
        var again = _db.Run("runs", "plot", _small, "--metric", "train/loss", "--out", "b.png");
        Assert.True(same.ExitCode == 0 && again.ExitCode == 0, same.Stderr + again.Stderr);
        Assert.Equal(File.ReadAllBytes(Path.Combine(_db.Work.Path, "a.png")), File.ReadAllBytes(Path.Combine(_db.Work.Path, "b.png"))); // deterministic

        var weight = _db.Run("runs", "plot", _small, "--metric", "train/loss", "--smooth", "1", "--out", "c.png");
        Assert.Equal(2, weight.ExitCode);
        Assert.Contains("error: --smooth 1: the EMA weight must be at least 0 and below 1", weight.Stderr);
        var format = _db.Run("runs", "plot", _small, "--metric", "train/loss", "--out", "c.gif");
        Assert.Equal(2, format.ExitCode);
        Assert.Contains("name the file *.png or *.svg", format.Stderr);
    }

    [Fact]
    public void ExportWritesEveryParamMetricAndTagAsCsvOrJson()
    {
        var csv = _db.Run("runs", "export", "--format", "csv", "--order-by", "name");
        Assert.True(csv.ExitCode == 0, csv.Stderr);
        var lines = csv.Stdout.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.EndsWith(",params.optimizer,params.stages.train.batch_size,params.stages.train.lr,metrics.eval/acc,metrics.train/loss,tags.note", lines[0]);
        Assert.EndsWith(",adam,64,0.01,0.8,0.2,", lines[1]);
        Assert.EndsWith(",adam,8,0.0001,0.7,0.5,baseline", lines[3]);

        var json = _db.Run("runs", "export", "--format", "json", "--filter", "tags.note = 'baseline'", "--out", "out/runs.json");
        Assert.True(json.ExitCode == 0, json.Stderr);
        var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(_db.Work.Path, "out", "runs.json"))).RootElement.EnumerateArray().Single();
        Assert.Equal(0.4, run.GetProperty("metrics").GetProperty("train/loss").GetProperty("min").GetDouble());
        Assert.Equal("adam", run.GetProperty("params").GetProperty("optimizer").GetString());

        var format = _db.Run("runs", "export", "--format", "xml");
        Assert.Equal(2, format.ExitCode);
    }

    [Fact]
    public void TagDeleteAndRestore()
    {
        var tag = _db.Run("runs", "tag", _large, "best=yes", "note=lr 1e-2");
        Assert.True(tag.ExitCode == 0, tag.Stderr);
        var tagged = _db.Run("runs", "list", "--filter", "tags.best = 'yes' AND tags.note LIKE 'lr%'", "--json");
        Assert.Equal([_large], JsonDocument.Parse(tagged.Stdout).RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Equal(0, _db.Run("runs", "tag", _large, "--remove", "best").ExitCode);
        Assert.Equal(0L, _db.Scalar($"SELECT count(*) FROM tags WHERE run_id = '{_large}' AND key = 'best';"));
        Assert.Equal(2, _db.Run("runs", "tag", _large, "novalue").ExitCode);

        var delete = _db.Run("runs", "delete", _large, _sgd);
        Assert.True(delete.ExitCode == 0, delete.Stderr);
        Assert.Contains($"diffusion runs restore {_large}", delete.Stdout);
        Assert.Equal([_small], Ids(_db.Run("runs", "list", "--json")));
        Assert.Equal([_sgd, _large], Ids(_db.Run("runs", "list", "--deleted", "--json")));
        Assert.Equal(2, _db.Run("runs", "show", _large).ExitCode);

        var restore = _db.Run("runs", "restore", _large[..6]);
        Assert.True(restore.ExitCode == 0, restore.Stderr);
        Assert.Equal([_large, _small], Ids(_db.Run("runs", "list", "--json")));
        Assert.Equal(2, _db.Run("runs", "restore", _small).ExitCode);
        Assert.Equal(10L, _db.Scalar("SELECT count(*) FROM metrics;"));
    }

    [Fact]
    public void QueryReadsButRefusesAnyWriteAndLeavesTheDatabaseUnchanged()
    {
        var read = _db.Run("runs", "query", "SELECT name, value FROM runs JOIN latest_metrics ON run_id = id WHERE key = 'eval/acc' ORDER BY value", "--csv");
        Assert.True(read.ExitCode == 0, read.Stderr);
        Assert.Equal(["name,value", "small,0.7", "large,0.8", "sgd,0.9"], read.Stdout.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')));

        var before = Hash();
        foreach (var write in new[] { "DELETE FROM runs", "SELECT 1; UPDATE runs SET name = 'x'", "DROP TABLE metrics", "PRAGMA query_only = 0; INSERT INTO tags VALUES ('a', 'b', 'c')" })
        {
            var refused = _db.Run("runs", "query", write);
            Assert.Equal(2, refused.ExitCode);
            Assert.StartsWith("error: refused: runs query only reads", refused.Stderr);
            Assert.Contains("the database is unchanged", refused.Stderr);
        }
        Assert.Equal(before, Hash());
        Assert.Equal(3L, _db.Scalar("SELECT count(*) FROM runs;"));

        var error = _db.Run("runs", "query", "SELECT nope FROM runs");
        Assert.Equal(2, error.ExitCode);
        Assert.Contains("SQL error", error.Stderr);
        Assert.Contains("no such column: nope", error.Stderr);
    }

    private static List<string?> Ids(Cli.Result list) =>
        JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToList();

    private string Hash()
    {
        _db.Execute("PRAGMA wal_checkpoint(TRUNCATE);");
        return Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(_db.Path)));
    }

    private static int Count(byte[] rgb, byte r, byte g, byte b)
    {
        int count = 0;
        for (int i = 0; i < rgb.Length; i += 3)
            if (rgb[i] == r && rgb[i + 1] == g && rgb[i + 2] == b) count++;
        return count;
    }

    /// <summary>Reads a PNG as 8-bit RGB through SkiaSharp.</summary>
    private static (int Width, int Height, byte[] Rgb) ReadPng(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], bytes[..8]);
        using var bitmap = SKBitmap.Decode(bytes);
        var rgb = new byte[bitmap.Width * bitmap.Height * 3];
        for (int y = 0, i = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++, i += 3)
            {
                var colour = bitmap.GetPixel(x, y);
                (rgb[i], rgb[i + 1], rgb[i + 2]) = (colour.Red, colour.Green, colour.Blue);
            }
        return (bitmap.Width, bitmap.Height, rgb);
    }
}
