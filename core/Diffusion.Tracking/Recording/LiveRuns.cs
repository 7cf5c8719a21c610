using System.Collections.Concurrent;

namespace Diffusion.Tracking;

/// <summary>
/// The runs this process is recording right now. A RUNNING run with this process's pid that is not here was
/// left open by an earlier process that had the same pid (or by a recorder disposed without closing the run).
/// </summary>
internal static class LiveRuns
{
    private static readonly ConcurrentDictionary<string, byte> Ids = new(StringComparer.Ordinal);

    public static void Add(string runId) => Ids[runId] = 0;

    public static void Remove(string runId) => Ids.TryRemove(runId, out _);

    public static bool Contains(string runId) => Ids.ContainsKey(runId);
}
