namespace Diffusion.Tracking;

/// <summary>A file a run wrote under its artifact folder.</summary>
/// <param name="Path">The path relative to the run's artifact folder, with '/' separators.</param>
/// <param name="Kind">What the file is (e.g. <c>checkpoint</c>, <c>sample</c>).</param>
/// <param name="Sha256">SHA-256 of the file's bytes, lowercase hex.</param>
/// <param name="Bytes">The file's size.</param>
public sealed record ArtifactRecord(string Path, string Kind, string Sha256, long Bytes);
