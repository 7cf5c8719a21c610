namespace Diffusion.Tracking;

/// <summary>A metric value waiting in a batch.</summary>
internal readonly record struct PendingMetric(string Key, long Step, double Value, long TimeMs);
