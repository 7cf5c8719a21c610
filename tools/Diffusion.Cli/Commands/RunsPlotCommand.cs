using System.CommandLine;
using Diffusion.Cli.Commands.Plotting;
using static Diffusion.Cli.Commands.RunsSupport;

namespace Diffusion.Cli.Commands;

/// <summary><c>diffusion runs plot ID... --metric KEY --out FILE.png</c>: a line chart of a metric over steps, one line per run.</summary>
internal static class RunsPlotCommand
{
    public static Command Create()
    {
        var ids = CommandLine.Ids(new Argument<string[]>("run-ids") { Description = "One or more run ids (unique prefixes are enough).", Arity = ArgumentArity.OneOrMore });
        var metric = new Option<string>("--metric") { Description = "The metric key to plot, e.g. train/loss.", Required = true };
        var output = new Option<string>("--out") { Description = "The PNG file to write.", Required = true };
        var width = new Option<int>("--width") { Description = "Image width in pixels (default 960).", DefaultValueFactory = _ => 960 };
        var height = new Option<int>("--height") { Description = "Image height in pixels (default 540).", DefaultValueFactory = _ => 540 };
        var logY = new Option<bool>("--log-y") { Description = "Logarithmic y axis (values at or below zero are left out)." };
        var command = new Command("plot", "Plot a metric over steps as a PNG line chart, one line per run.") { ids, metric, output, width, height, logY };
        command.SetAction(result =>
        {
            string key = result.GetValue(metric)!;
            string file = result.GetValue(output)!;
            if (!file.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            {
                Console.Error.WriteLine($"error: --out {file}: the chart is written as PNG; name the file *.png");
                return CommandLine.InvalidInput;
            }
            if (result.GetValue(width) is < 200 or > 10000 || result.GetValue(height) is < 150 or > 10000)
            {
                Console.Error.WriteLine("error: --width must be 200..10000 and --height 150..10000 pixels");
                return CommandLine.InvalidInput;
            }
            using var store = OpenExisting(result);
            if (store is null) return CommandLine.InvalidInput;

            var series = new List<ChartSeries>();
            foreach (var id in result.GetValue(ids)!)
            {
                if (Find(store, id) is not { } run) return CommandLine.InvalidInput;
                if (run.Metrics.All(m => m.Key != key))
                {
                    var known = run.Metrics.Select(m => m.Key).ToList();
                    Console.Error.WriteLine($"error: run {run.Run.Id} has no metric '{key}'; its metrics: {(known.Count > 0 ? string.Join(", ", known) : "none")}");
                    return CommandLine.InvalidInput;
                }
                var points = store.MetricHistory(run.Run.Id, key).Select(p => ((double)p.Step, p.Value)).ToList();
                series.Add(new ChartSeries($"{run.Run.Id} {run.Run.Name}", points));
            }
            if (result.GetValue(logY) && series.All(s => s.Points.All(p => !(p.Y > 0))))
            {
                Console.Error.WriteLine($"error: --log-y: '{key}' has no value above zero");
                return CommandLine.InvalidInput;
            }

            var chart = LineChart.Draw(key, "step", key, series, result.GetValue(width), result.GetValue(height), result.GetValue(logY));
            string full = Path.GetFullPath(file);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            using (var stream = File.Create(full)) PngEncoder.Write(stream, chart.Width, chart.Height, chart.Pixels);
            // Non-finite values (a NaN loss) cannot be drawn: say how many were left out rather than draw fewer points silently.
            int skipped = series.Sum(s => s.Points.Count(p => !double.IsFinite(p.Y) || (result.GetValue(logY) && !(p.Y > 0))));
            int drawn = series.Sum(s => s.Points.Count) - skipped;
            Console.WriteLine($"wrote {Path.GetRelativePath(Environment.CurrentDirectory, full)} ({series.Count} run{(series.Count == 1 ? "" : "s")}, {drawn} points)");
            if (skipped > 0)
                Console.Error.WriteLine($"warning: {skipped} point{(skipped == 1 ? "" : "s")} of '{key}' not drawn: {(result.GetValue(logY) ? "not finite or not above zero (--log-y)" : "not finite (NaN or infinity)")}");
            return 0;
        });
        return command;
    }
}
