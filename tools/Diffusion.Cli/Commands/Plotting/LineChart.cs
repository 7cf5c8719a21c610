using System.Globalization;

namespace Diffusion.Cli.Commands.Plotting;

/// <summary>One line of a chart: its legend label and its points in data units (NaN values break the line).</summary>
internal sealed record ChartSeries(string Label, IReadOnlyList<(double X, double Y)> Points);

/// <summary>
/// A line chart: title, axes with round-number ticks and grid, one coloured line per series and a legend on
/// the right. The y axis may be logarithmic (values at or below zero are then left out).
/// </summary>
internal static class LineChart
{
    private const int Scale = 2;
    private const int Pad = 12;
    private const double LineWidth = 2.2;

    public static Canvas Draw(string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series, int width, int height, bool logY)
    {
        var canvas = new Canvas(width, height, Rgb.White);
        var data = series.Select(s => s.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!logY || p.Y > 0))
            .Select(p => (p.X, Y: logY ? Math.Log10(p.Y) : p.Y)).ToList()).ToList();
        var all = data.SelectMany(d => d).ToList();
        var (xMin, xMax) = Range(all.Select(p => p.X), pad: 0);
        var (yMin, yMax) = Range(all.Select(p => p.Y), pad: 0.05);
        var xTicks = Ticks(xMin, xMax, Math.Max(2, width / 140));
        var yTicks = logY ? LogTicks(yMin, yMax) : Ticks(yMin, yMax, Math.Max(2, height / 90));
        var yTickText = yTicks.Select(t => logY ? LogLabel(t) : Label(t, yTicks)).ToList();
        var xTickText = xTicks.Select(t => Label(t, xTicks)).ToList();

        // Layout: title on top, y label and tick labels on the left, x labels below, legend on the right.
        var textHeight = Canvas.TextHeight(Scale);
        var legendLabels = series.Select(s => s.Label).ToList();
        var legendWidth = Math.Min(width * 2 / 5, 40 + legendLabels.DefaultIfEmpty("").Max(l => Canvas.TextWidth(l, Scale)) + (2 * Pad));
        var left = Pad + textHeight + Pad + yTickText.Max(t => Canvas.TextWidth(t, Scale)) + 8;
        var top = Pad + textHeight + Pad;
        var right = width - legendWidth;
        var bottom = height - (Pad + textHeight + Pad + textHeight + 8);
        if (right - left < 40 || bottom - top < 40)
            throw new ArgumentException($"a {width}x{height} image is too small for this chart; make it larger");

        double X(double x) => left + ((x - xMin) / (xMax - xMin) * (right - left));
        double Y(double y) => bottom - ((y - yMin) / (yMax - yMin) * (bottom - top));

        for (var i = 0; i < yTicks.Count; i++)
        {
            var y = (int)Math.Round(Y(yTicks[i]));
            canvas.FillRectangle(left, y, right - left, 1, Rgb.Grid);
            canvas.Text(left - 8 - Canvas.TextWidth(yTickText[i], Scale), y - (textHeight / 2), yTickText[i], Rgb.Label, Scale);
        }
        for (var i = 0; i < xTicks.Count; i++)
        {
            var x = (int)Math.Round(X(xTicks[i]));
            canvas.FillRectangle(x, top, 1, bottom - top, Rgb.Grid);
            canvas.Text(x - (Canvas.TextWidth(xTickText[i], Scale) / 2), bottom + 8, xTickText[i], Rgb.Label, Scale);
        }
        canvas.FillRectangle(left, top, 1, bottom - top + 1, Rgb.Black);
        canvas.FillRectangle(left, bottom, right - left + 1, 1, Rgb.Black);

        canvas.Text(Math.Max(Pad, ((left + right) / 2) - (Canvas.TextWidth(title, Scale) / 2)), Pad, title, Rgb.Black, Scale);
        canvas.Text(((left + right) / 2) - (Canvas.TextWidth(xLabel, Scale) / 2), height - Pad - textHeight, xLabel, Rgb.Label, Scale);
        var yText = logY ? $"{yLabel} (log)" : yLabel;
        canvas.TextUpward(Pad, ((top + bottom) / 2) + (Canvas.TextWidth(yText, Scale) / 2), yText, Rgb.Label, Scale);

        for (var s = 0; s < data.Count; s++)
        {
            var color = Rgb.Series[s % Rgb.Series.Count];
            foreach (var piece in Pieces(series[s].Points, logY))
                canvas.Polyline(piece.Select(p => (X(p.X), Y(logY ? Math.Log10(p.Y) : p.Y))).ToList(), color, LineWidth);
        }

        DrawLegend(canvas, legendLabels, right + Pad, top, width - Pad, bottom);
        return canvas;
    }

    private static void DrawLegend(Canvas canvas, List<string> labels, int left, int top, int right, int bottom)
    {
        var lineHeight = Canvas.TextHeight(Scale) + 10;
        var fits = Math.Max(1, (bottom - top) / lineHeight);
        var maxChars = Math.Max(4, (right - left - 32) / Canvas.TextAdvance(Scale));
        for (var i = 0; i < labels.Count && i < fits; i++)
        {
            var y = top + (i * lineHeight);
            var more = labels.Count - i - 1;
            if (i == fits - 1 && more > 0)
            {
                canvas.Text(left, y, $"... {more + 1} more", Rgb.Label, Scale);
                return;
            }
            var color = Rgb.Series[i % Rgb.Series.Count];
            canvas.Polyline([(left, y + 7), (left + 22, y + 7)], color, LineWidth + 1);
            var label = labels[i].Length <= maxChars ? labels[i] : labels[i][..(maxChars - 1)] + "~";
            canvas.Text(left + 30, y, label, Rgb.Black, Scale);
        }
    }

    /// <summary>The runs of consecutive drawable points: a NaN (or, on a log axis, a value at or below zero) ends one.</summary>
    private static IEnumerable<List<(double X, double Y)>> Pieces(IReadOnlyList<(double X, double Y)> points, bool logY)
    {
        var piece = new List<(double X, double Y)>();
        foreach (var p in points)
        {
            if (double.IsFinite(p.X) && double.IsFinite(p.Y) && (!logY || p.Y > 0))
            {
                piece.Add(p);
                continue;
            }
            if (piece.Count > 0) yield return piece;
            piece = [];
        }
        if (piece.Count > 0) yield return piece;
    }

    private static (double Min, double Max) Range(IEnumerable<double> values, double pad)
    {
        var list = values.ToList();
        if (list.Count == 0) return (0, 1);
        double min = list.Min(), max = list.Max();
        if (max - min < 1e-12 * Math.Max(1, Math.Abs(max)))
        {
            var spread = Math.Abs(min) > 0 ? Math.Abs(min) * 0.1 : 1;
            return (min - spread, max + spread);
        }
        var margin = (max - min) * pad;
        return (min - margin, max + margin);
    }

    /// <summary>Ticks at multiples of 1, 2 or 5 times a power of ten, about <paramref name="target"/> of them, inside [min, max].</summary>
    internal static List<double> Ticks(double min, double max, int target)
    {
        var raw = (max - min) / target;
        var power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1, 2, 5, 10 }.Select(m => m * power).First(s => s >= raw);
        var ticks = new List<double>();
        for (var t = Math.Ceiling(min / step) * step; t <= max + (step * 1e-9); t += step)
            ticks.Add(Math.Abs(t) < step * 1e-9 ? 0 : t);
        return ticks;
    }

    /// <summary>On a log axis (values are log10): each power of ten, or 1-2-5 steps within a decade when the range is narrow.</summary>
    private static List<double> LogTicks(double min, double max)
    {
        var decades = Enumerable.Range((int)Math.Ceiling(min), Math.Max(0, (int)Math.Floor(max) - (int)Math.Ceiling(min) + 1)).Select(d => (double)d).ToList();
        if (decades.Count >= 2) return decades;
        var ticks = new List<double>();
        for (var d = (int)Math.Floor(min); d <= (int)Math.Ceiling(max); d++)
            foreach (var m in new[] { 1, 2, 5 })
            {
                var t = d + Math.Log10(m);
                if (t >= min && t <= max) ticks.Add(t);
            }
        return ticks.Count >= 2 ? ticks : Ticks(min, max, 4);
    }

    private static string LogLabel(double exponent)
    {
        var value = Math.Pow(10, exponent);
        return Math.Abs(exponent - Math.Round(exponent)) < 1e-9 && (exponent < -3 || exponent > 4)
            ? $"1e{Math.Round(exponent).ToString(CultureInfo.InvariantCulture)}"
            : Label(value, [value]);
    }

    /// <summary>A tick value with as many decimals as its step needs (scientific when very large or small).</summary>
    private static string Label(double value, IReadOnlyList<double> ticks)
    {
        var step = ticks.Count > 1 ? Math.Abs(ticks[1] - ticks[0]) : Math.Abs(value);
        if (value != 0 && (Math.Abs(value) >= 1e6 || Math.Abs(value) < 1e-4))
            return value.ToString("0.##e+0", CultureInfo.InvariantCulture);
        var decimals = step > 0 ? Math.Clamp(-(int)Math.Floor(Math.Log10(step) + 1e-9), 0, 8) : 2;
        return value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }
}
