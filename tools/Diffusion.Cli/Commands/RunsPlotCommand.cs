using System.CommandLine;
using Diffusion.Cli.Commands.Plotting;
using static Diffusion.Cli.Commands.RunsSupport;

namespace Diffusion.Cli.Commands;

/// <summary>
/// <c>diffusion runs plot ID... --metric KEY... --out FILE.png|svg</c>: a line chart of one or more metrics over steps,
/// one line per run and metric, optionally smoothed (EMA like TensorBoard's) and on a log y axis.
/// </summary>
internal static class RunsPlotCommand
{
    public static Command Create()
    {
        var ids = CommandLine.Ids(new Argument<string[]>("run-ids") { Description = "One or more run ids (unique prefixes are enough).", Arity = ArgumentArity.OneOrMore });
        var metric = new Option<string[]>("--metric")
        {
            Description = "A metric key to plot, e.g. train/loss; repeat for several metrics in one chart.", Required = true,
            Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false,
        };
        var output = new Option<string>("--out") { Description = "The file to write: *.png or *.svg.", Required = true };
        var width = new Option<int>("--width") { Description = "Image width in pixels (default 960).", DefaultValueFactory = _ => 960 };
        var height = new Option<int>("--height") { Description = "Image height in pixels (default 540).", DefaultValueFactory = _ => 540 };
        var logY = new Option<bool>("--log-y") { Description = "Logarithmic y axis (values at or below zero are left out)." };
        var smooth = new Option<double>("--smooth")
        {
            Description = "EMA smoothing weight in [0, 1) as in TensorBoard (0.6 is its default; 0: none). The raw line stays, faint.",
            DefaultValueFactory = _ => 0,
        };
        var command = new Command("plot", "Plot metrics over steps as a PNG or SVG line chart, one line per run and metric.") { ids, metric, output, width, height, logY, smooth };
        command.SetAction(result =>
        {
            var keys = result.GetValue(metric)!.Distinct(StringComparer.Ordinal).ToList();
            string file = result.GetValue(output)!;
            double smoothing = result.GetValue(smooth);
            if (!file.EndsWith(".png", StringComparison.OrdinalIgnoreCase) && !file.EndsWith(".svg", StringComparison.OrdinalIgnoreCase))
            {
                Console.Error.WriteLine($"error: --out {file}: the chart is written as PNG or SVG; name the file *.png or *.svg");
                return CommandLine.InvalidInput;
            }
            if (result.GetValue(width) is < 200 or > 10000 || result.GetValue(height) is < 150 or > 10000)
            {
                Console.Error.WriteLine("error: --width must be 200..10000 and --height 150..10000 pixels");
                return CommandLine.InvalidInput;
            }
            if (!(smoothing is >= 0 and < 1))
            {
                Console.Error.WriteLine($"error: --smooth {smoothing}: the EMA weight must be at least 0 and below 1 (0.6 is TensorBoard's default)");
                return CommandLine.InvalidInput;
            }
            using var store = OpenExisting(result);
            if (store is null) return CommandLine.InvalidInput;

            var series = new List<ChartSeries>();
            foreach (var id in result.GetValue(ids)!)
            {
                if (Find(store, id) is not { } run) return CommandLine.InvalidInput;
                foreach (var key in keys)
                {
                    if (run.Metrics.All(m => m.Key != key))
                    {
                        var known = run.Metrics.Select(m => m.Key).ToList();
                        Console.Error.WriteLine($"error: run {run.Run.Id} has no metric '{key}'; its metrics: {(known.Count > 0 ? string.Join(", ", known) : "none")}");
                        return CommandLine.InvalidInput;
                    }
                    var points = store.MetricHistory(run.Run.Id, key).Select(p => ((double)p.Step, p.Value)).ToList();
                    series.Add(new ChartSeries(keys.Count == 1 ? $"{run.Run.Id} {run.Run.Name}" : $"{run.Run.Id} {run.Run.Name}: {key}", points));
                }
            }
            string shown = string.Join(", ", keys);
            if (result.GetValue(logY) && series.All(s => s.Points.All(p => !(p.Y > 0))))
            {
                Console.Error.WriteLine($"error: --log-y: '{shown}' has no value above zero");
                return CommandLine.InvalidInput;
            }

            string full = Path.GetFullPath(file);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            MetricChart.Save(full, shown, keys.Count == 1 ? keys[0] : "value", series, result.GetValue(width), result.GetValue(height), result.GetValue(logY), smoothing);
            // Non-finite values (a NaN loss) cannot be drawn: say how many were left out rather than draw fewer points silently.
            int skipped = series.Sum(s => s.Points.Count(p => !double.IsFinite(p.Y) || (result.GetValue(logY) && !(p.Y > 0))));
            int drawn = series.Sum(s => s.Points.Count) - skipped;
            int runs = result.GetValue(ids)!.Length;
            Console.WriteLine($"wrote {Path.GetRelativePath(Environment.CurrentDirectory, full)} ({runs} run{(runs == 1 ? "" : "s")}, {drawn} points)");
            if (skipped > 0)
                Console.Error.WriteLine($"warning: {skipped} point{(skipped == 1 ? "" : "s")} of '{shown}' not drawn: {(result.GetValue(logY) ? "not finite or not above zero (--log-y)" : "not finite (NaN or infinity)")}");
            return 0;
        });
        return command;
    }
}
