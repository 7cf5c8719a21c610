using ScottPlot;
using ScottPlot.TickGenerators;

namespace Diffusion.Cli.Commands.Plotting;

/// <summary>
/// A line chart of metrics over steps drawn with ScottPlot: title, axis labels, a legend, one colour per line
/// (matplotlib's Category10), an optional log y axis (values at or below zero left out) and optional EMA smoothing
/// like TensorBoard's (the raw line stays, faint, under the smoothed one). PNG or SVG by the file's extension.
/// </summary>
internal static class MetricChart
{
    /// <summary>Fonts tried in order, so a chart looks the same on every machine that has one of them.</summary>
    private static readonly (string Name, string File)[] Fonts =
    [
        ("DejaVu Sans", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        ("Liberation Sans", "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
    ];

    /// <summary>Draws <paramref name="series"/> and saves the chart to <paramref name="path"/> (*.png or *.svg).</summary>
    public static void Save(string path, string title, string yLabel, IReadOnlyList<ChartSeries> series, int width, int height, bool logY, double smoothing)
    {
        var plot = new Plot();
        foreach (var (name, file) in Fonts)
        {
            if (!File.Exists(file)) continue;
            ScottPlot.Fonts.AddFontFile(name, file);
            plot.Font.Set(name);
            break;
        }
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < series.Count; i++)
        {
            var points = series[i].Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!logY || p.Y > 0)).ToList();
            if (points.Count == 0) continue;
            var xs = points.Select(p => p.X).ToArray();
            var ys = points.Select(p => logY ? Math.Log10(p.Y) : p.Y).ToArray();
            var colour = palette.GetColor(i);
            if (smoothing > 0)
            {
                // As TensorBoard: the EMA of the values as logged (on a log axis, of y, not of log y), the raw line faint below.
                var raw = plot.Add.ScatterLine(xs, ys, colour.WithAlpha(0.25));
                raw.LineWidth = 1.5f;
                var smooth = Diffusion.Ui.MetricSeries.Smooth(points.Select(p => p.Y).ToArray(), smoothing);
                var line = plot.Add.ScatterLine(xs, logY ? smooth.Select(Math.Log10).ToArray() : smooth, colour);
                line.LineWidth = 2.5f;
                line.LegendText = series[i].Label;
            }
            else
            {
                var line = plot.Add.ScatterLine(xs, ys, colour);
                line.LineWidth = 2.5f;
                line.LegendText = series[i].Label;
            }
        }

        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel(logY ? $"{yLabel} (log scale)" : yLabel);
        if (logY)
        {
            plot.Axes.Left.TickGenerator = new NumericAutomatic
            {
                MinorTickGenerator = new LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = y => Math.Pow(10, y).ToString("g3", System.Globalization.CultureInfo.InvariantCulture),
            };
            plot.Grid.MinorLineWidth = 1;
            plot.Grid.MinorLineColor = Colors.Black.WithAlpha(0.05);
        }
        plot.ShowLegend(Alignment.UpperRight);

        if (path.EndsWith(".svg", StringComparison.OrdinalIgnoreCase)) plot.SaveSvg(path, width, height);
        else plot.SavePng(path, width, height);
    }
}
