using Diffusion.Tracking;

namespace Diffusion.Core.Distributed;

/// <summary>The recorder of a rank other than 0 in a data-parallel run: the run is rank 0's to record, so this one writes nothing.</summary>
internal sealed class SilentRecorder(string runId) : IRunRecorder
{
    public string RunId { get; } = runId;

    public void LogMetric(string key, double value, long step)
    {
    }

    public void LogParam(string key, object value)
    {
    }

    public void SetTag(string key, string value)
    {
    }

    public void LogParams(IEnumerable<KeyValuePair<string, object>> values)
    {
    }

    public void RecordArtifact(string relativePath, string kind, string sha256, long bytes)
    {
    }

    public void Flush()
    {
    }

    public void Complete()
    {
    }

    public void Fail(string message)
    {
    }

    public void Kill(string reason)
    {
    }

    public void Dispose()
    {
    }
}
