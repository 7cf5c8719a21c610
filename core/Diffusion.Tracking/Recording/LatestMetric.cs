namespace Diffusion.Tracking;

/// <summary>One key's values within a batch: the last (highest step, later wins), min and max without NaNs, count.</summary>
internal sealed class LatestMetric(double value, long step, long timeMs)
{
    public double Value { get; private set; } = value;

    public long Step { get; private set; } = step;

    public long TimeMs { get; private set; } = timeMs;

    public double Min { get; private set; } = value;

    public double Max { get; private set; } = value;

    public long Count { get; private set; } = 1;

    public void Add(double value, long step, long timeMs)
    {
        Count++;
        if (step >= Step)
        {
            (Value, Step, TimeMs) = (value, step, timeMs);
        }

        if (!double.IsNaN(value))
        {
            Min = double.IsNaN(Min) || value < Min ? value : Min;
            Max = double.IsNaN(Max) || value > Max ? value : Max;
        }
    }
}
