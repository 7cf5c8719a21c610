namespace Diffusion.Abstractions.Runs;

/// <summary>Records what a run measured. Writes are batched off the calling thread.</summary>
public interface ITracker
{
    /// <summary>Records a metric value at a step (e.g. the training step).</summary>
    void LogMetric(string key, double value, long step);

    /// <summary>Records a param (a setting of the run). Numbers stay numbers, so queries compare them numerically.</summary>
    void LogParam(string key, object value);

    /// <summary>Sets a free-form tag.</summary>
    void SetTag(string key, string value);
}
