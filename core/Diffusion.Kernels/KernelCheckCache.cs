using System.Text.Json;
using System.Text.Json.Serialization;

namespace Diffusion.Kernels;

/// <summary>
/// Self-check decisions per machine signature, one small JSON file each under the cache folder
/// (<c>$DIFFUSION_CACHE_DIR</c>, else <c>$XDG_CACHE_HOME/diffusion</c>, else <c>~/.cache/diffusion</c>), in
/// <c>kernel-check/KEY.json</c>. Written atomically; an unreadable file is ignored and rewritten.
/// </summary>
public sealed class KernelCheckCache(string folder)
{
    /// <summary>The folder holding the decision files.</summary>
    public string Folder { get; } = folder;

    /// <summary>The cache of this user and environment.</summary>
    public static KernelCheckCache Default() => new(Path.Combine(CacheRoot(), "kernel-check"));

    /// <summary>The file for <paramref name="key"/>.</summary>
    public string FileFor(string key) => Path.Combine(Folder, key + ".json");

    /// <summary>The cached path for <paramref name="key"/>, or null when there is none (or it cannot be read).</summary>
    public KernelPath? Read(string key)
    {
        try
        {
            var entry = JsonSerializer.Deserialize<Entry>(File.ReadAllText(FileFor(key)), Options);
            return entry?.Path switch { "default" => KernelPath.Default, "fallback" => KernelPath.Fallback, _ => null };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Records <paramref name="decision"/> for <paramref name="signature"/>; a cache that cannot be written only costs a re-check.</summary>
    public void Write(string key, MachineSignature signature, KernelDecision decision)
    {
        var entry = new Entry(decision.PathName, DateTime.UtcNow.ToString("O"), signature, decision.Reason,
            decision.DefaultCheck?.Results, decision.FallbackCheck?.Results);
        string file = FileFor(key), temporary = $"{file}.{Environment.ProcessId}.tmp";
        try
        {
            Directory.CreateDirectory(Folder);
            File.WriteAllText(temporary, JsonSerializer.Serialize(entry, Options));
            File.Move(temporary, file, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static string CacheRoot()
    {
        if (Environment.GetEnvironmentVariable("DIFFUSION_CACHE_DIR") is { Length: > 0 } explicitFolder) return Path.GetFullPath(explicitFolder);
        if (Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg) return Path.Combine(xdg, "diffusion");
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "diffusion");
    }

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private sealed record Entry(string Path, string CheckedAt, MachineSignature Machine, string? Reason,
        IReadOnlyList<KernelResult>? DefaultCheck, IReadOnlyList<KernelResult>? FallbackCheck);
}
