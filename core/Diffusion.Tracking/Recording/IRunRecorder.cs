using Diffusion.Abstractions.Runs;

namespace Diffusion.Tracking;

/// <summary>
/// Records one run, started or resumed by an <see cref="ITrackingStore"/>. Logging only queues the value; the
/// recorder writes it in the background. Safe to use from several threads. End the run with
/// <see cref="Complete"/>, <see cref="Fail"/> or <see cref="Kill"/>; disposing without them writes what is queued
/// and leaves the status as it is (readers will then report the run KILLED).
/// </summary>
public interface IRunRecorder : ITracker, IDisposable
{
    /// <summary>The run's id.</summary>
    string RunId { get; }

    /// <summary>
    /// Records params. Integers are stored as <c>int</c>, float/double/decimal as <c>float</c> (both also as
    /// numbers, so queries compare them numerically), bools as <c>bool</c>; enums as snake_case text, lists as
    /// JSON-like text (<c>[1, 2]</c>) and anything else as its invariant text.
    /// </summary>
    void LogParams(IEnumerable<KeyValuePair<string, object>> values);

    /// <summary>Records a file under the run's artifact folder. Recording a path again replaces its record.</summary>
    /// <param name="relativePath">The path relative to the run's artifact folder ('\' is stored as '/').</param>
    /// <param name="kind">What the file is (e.g. <c>checkpoint</c>, <c>sample</c>).</param>
    /// <param name="sha256">SHA-256 of the file, 64 hex characters.</param>
    /// <param name="bytes">The file's size.</param>
    void RecordArtifact(string relativePath, string kind, string sha256, long bytes);

    /// <summary>Blocks until everything logged so far is written.</summary>
    /// <exception cref="InvalidOperationException">Some queued values could not be written.</exception>
    void Flush();

    /// <summary>Ends the run as COMPLETED, after writing everything queued.</summary>
    void Complete();

    /// <summary>Ends the run as FAILED with <paramref name="message"/>, after writing everything queued.</summary>
    void Fail(string message);

    /// <summary>Ends the run as KILLED (e.g. cancelled by Ctrl+C) with <paramref name="reason"/>.</summary>
    void Kill(string reason);
}
