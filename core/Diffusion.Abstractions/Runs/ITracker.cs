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

/// <summary>The run's artifact folder; every file written through it is recorded with its kind and SHA-256.</summary>
public interface IArtifactStore
{
    /// <summary>The absolute path of the run's artifact folder.</summary>
    string Root { get; }

    /// <summary>
    /// Writes a file at <paramref name="relativePath"/> under <see cref="Root"/> and records it.
    /// Returns the absolute path written.
    /// </summary>
    string Write(string relativePath, string kind, Action<Stream> write);

    /// <summary>Records a file that was written directly under <see cref="Root"/> (e.g. a checkpoint folder's files).</summary>
    void Record(string relativePath, string kind);
}

/// <summary>Progress display: a live bar on a terminal, periodic lines when output is redirected.</summary>
public interface IProgressReporter
{
    /// <summary>Starts a task of <paramref name="total"/> units; dispose it when done.</summary>
    IProgressTask Start(string label, long total, long alreadyDone = 0);
}

/// <summary>One long loop being shown.</summary>
public interface IProgressTask : IDisposable
{
    /// <summary>Sets the units done and an optional status such as "loss 0.0312".</summary>
    void Report(long done, string? status = null);
}
