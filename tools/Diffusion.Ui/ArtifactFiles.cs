namespace Diffusion.Ui;

/// <summary>
/// Finds a file inside one run's folder for the artifact route, and nothing outside it: a path that is absolute,
/// climbs with <c>..</c>, holds a backslash, a colon or a control character, or passes through a symbolic link
/// (a link could point anywhere) is refused. What the browser may render is decided here too: images as images,
/// text as plain text, everything else as a download, so a run's file can never run script in the dashboard.
/// </summary>
internal static class ArtifactFiles
{
    private static readonly Dictionary<string, string> Images = new(StringComparer.OrdinalIgnoreCase)
    {
        [".png"] = "image/png",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".gif"] = "image/gif",
        [".webp"] = "image/webp",
        [".bmp"] = "image/bmp",
    };

    private static readonly HashSet<string> Texts = new(StringComparer.OrdinalIgnoreCase)
    {
        ".txt", ".log", ".yaml", ".yml", ".json", ".jsonl", ".csv", ".md",
    };

    /// <summary>The full path of <paramref name="relative"/> inside <paramref name="runFolder"/>, or null when it is refused or missing.</summary>
    public static string? Resolve(string runFolder, string relative)
    {
        if (string.IsNullOrEmpty(relative) || relative.Length > 1024 || relative.StartsWith('/') ||
            relative.Any(c => c == '\\' || c == ':' || char.IsControl(c)))
        {
            return null;
        }

        var parts = relative.Split('/');
        if (parts.Any(p => p.Length == 0 || p == "." || p == ".."))
        {
            return null;
        }

        var root = Path.GetFullPath(runFolder);
        var current = root;
        foreach (var part in parts)
        {
            current = Path.Combine(current, part);
            FileSystemInfo entry = File.Exists(current) ? new FileInfo(current) : new DirectoryInfo(current);
            if (!entry.Exists || entry.LinkTarget is not null)
            {
                return null;
            }
        }

        var full = Path.GetFullPath(current);
        return full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && File.Exists(full) ? full : null;
    }

    /// <summary>How the dashboard shows a file: <c>image</c>, <c>text</c> or <c>file</c> (a download).</summary>
    public static string ViewOf(string path)
    {
        var extension = Path.GetExtension(path);
        return Images.ContainsKey(extension) ? "image" : Texts.Contains(extension) ? "text" : "file";
    }

    /// <summary>The content type the file is served with: never one a browser would run.</summary>
    public static string ContentTypeOf(string path) => ViewOf(path) switch
    {
        "image" => Images[Path.GetExtension(path)],
        "text" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
}
