using System.Security.Cryptography;
using Diffusion.Abstractions.Runs;
using Diffusion.Tracking;

namespace Diffusion.Core.Runs;

/// <summary>The run's folder; every file written or recorded through it is logged with its kind, size and SHA-256.</summary>
internal sealed class ArtifactStore(string root, IRunRecorder recorder) : IArtifactStore
{
    public string Root { get; } = Path.GetFullPath(root);

    public string Write(string relativePath, string kind, Action<Stream> write)
    {
        string path = Resolve(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write)) write(stream);
        File.Move(temp, path, overwrite: true);
        Record(relativePath, kind);
        return path;
    }

    public void Record(string relativePath, string kind)
    {
        string path = Resolve(relativePath);
        using var stream = File.OpenRead(path);
        string sha = Convert.ToHexStringLower(SHA256.HashData(stream));
        recorder.RecordArtifact(Normalise(relativePath), kind, sha, new FileInfo(path).Length);
    }

    private string Resolve(string relativePath)
    {
        string path = Path.GetFullPath(Path.Combine(Root, relativePath));
        if (!path.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"artifact path '{relativePath}' leaves the run folder", nameof(relativePath));
        return path;
    }

    private static string Normalise(string relativePath) => relativePath.Replace('\\', '/');
}
