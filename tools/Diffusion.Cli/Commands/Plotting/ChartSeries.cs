namespace Diffusion.Cli.Commands.Plotting;

/// <summary>One line of a chart: its legend label and its points in data units (non-finite values are left out).</summary>
internal sealed record ChartSeries(string Label, IReadOnlyList<(double X, double Y)> Points);
