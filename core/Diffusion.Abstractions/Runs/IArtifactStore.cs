namespace Diffusion.Abstractions.Runs;

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
