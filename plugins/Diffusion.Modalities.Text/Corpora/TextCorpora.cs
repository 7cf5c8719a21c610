using System.Text;

namespace Diffusion.Modalities.Text.Corpora;

/// <summary>Reads the entries (short texts) of a corpus: the built-in one, a text file or folder, or fortune files.</summary>
internal static class TextCorpora
{
    /// <summary>Where Debian's <c>fortunes</c> package installs its files.</summary>
    public const string DebianFortunes = "/usr/share/games/fortunes";

    /// <summary>The built-in corpus: a few hundred short English lines shipped inside this assembly.</summary>
    public static IReadOnlyList<string> Builtin()
    {
        using var stream = typeof(TextCorpora).Assembly.GetManifestResourceStream("Diffusion.Modalities.Text.builtin.txt")
            ?? throw new InvalidOperationException("the built-in corpus is missing from the assembly");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Lines(reader.ReadToEnd());
    }

    /// <summary>Every non-blank line of a text file, or of the <c>*.txt</c> files of a folder (in ordinal name order).</summary>
    public static IReadOnlyList<string> TextFiles(string path) =>
        Files(path, "text", "*.txt").SelectMany(f => Lines(File.ReadAllText(f, Encoding.UTF8))).ToList();

    /// <summary>
    /// The entries of a fortune file, or of every fortune file in a folder (regular files, not the <c>.dat</c> indexes and
    /// not the <c>.u8</c> links, in ordinal name order): entries are separated by lines holding only <c>%</c>.
    /// </summary>
    public static IReadOnlyList<string> Fortunes(string path) =>
        Files(path, "fortune", "*").Where(IsFortuneFile).SelectMany(f => ParseFortunes(File.ReadAllText(f, Encoding.UTF8))).ToList();

    /// <summary>The entries of fortune-file text: blocks between lines holding only <c>%</c>, trimmed, empty ones dropped.</summary>
    public static IReadOnlyList<string> ParseFortunes(string text)
    {
        var entries = new List<string>();
        var current = new StringBuilder();
        foreach (var raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line == "%")
            {
                Flush();
                continue;
            }
            current.Append(line).Append('\n');
        }
        Flush();
        return entries;

        void Flush()
        {
            string entry = current.ToString().Trim();
            if (entry.Length > 0) entries.Add(entry);
            current.Clear();
        }
    }

    private static List<string> Lines(string text) =>
        text.Split('\n').Select(l => l.TrimEnd('\r').Trim()).Where(l => l.Length > 0).ToList();

    private static bool IsFortuneFile(string file)
    {
        if (file.EndsWith(".dat", StringComparison.Ordinal)) return false;
        var info = new FileInfo(file);
        return info.LinkTarget is null;
    }

    private static IEnumerable<string> Files(string path, string what, string pattern)
    {
        string full = Path.GetFullPath(path);
        if (File.Exists(full)) return [full];
        if (Directory.Exists(full))
        {
            var files = Directory.GetFiles(full, pattern).Order(StringComparer.Ordinal).ToArray();
            if (files.Length == 0) throw new PluginInputException($"the folder {full} holds no {what} files ({pattern})");
            return files;
        }
        string hint = full.StartsWith(DebianFortunes, StringComparison.Ordinal)
            ? " (install Debian's package: sudo apt-get install fortunes)"
            : "";
        throw new PluginInputException($"path: {full} does not exist; give a {what} file or a folder of them{hint}");
    }
}
