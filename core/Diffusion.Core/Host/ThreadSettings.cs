using System.Globalization;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Diffusion.Core.Host;

/// <summary>
/// How many threads libtorch's pools get for a run (docs/performance.md): <c>--threads</c>, else the pipeline's
/// <c>threads:</c>, else <c>OMP_NUM_THREADS</c>, else the machine's physical cores (shared among the ranks of a
/// data-parallel job on one machine). Hyper-threads are left out: two libtorch threads on one core's siblings compete
/// for the same vector units and slow each other down.
/// </summary>
public static class ThreadSettings
{
    private static readonly Lock Gate = new();
    private static int? interopSet;

    /// <summary>Physical cores this process may use: distinct (package, core) pairs in /proc/cpuinfo, capped by the CPUs the process is allowed.</summary>
    public static int PhysicalCores()
    {
        int allowed = Math.Max(1, Environment.ProcessorCount);
        try
        {
            if (!OperatingSystem.IsLinux() || !File.Exists("/proc/cpuinfo")) return allowed;
            var cores = new HashSet<(string, string)>();
            string package = "0";
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                int colon = line.IndexOf(':');
                if (colon < 0) continue;
                string key = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
                if (key == "physical id") package = value;
                else if (key == "core id") cores.Add((package, value));
            }
            return cores.Count == 0 ? allowed : Math.Min(cores.Count, allowed);
        }
        catch (IOException)
        {
            return allowed;
        }
    }

    /// <summary>Chooses the thread count and its source (for the run's params) without applying it.</summary>
    /// <param name="requested">--threads, or null.</param>
    /// <param name="pipeline">The pipeline's threads:, or null for auto.</param>
    /// <param name="ranksOnThisMachine">Processes of a data-parallel job sharing this machine.</param>
    public static (int Threads, string Source) Choose(int? requested, int? pipeline, int ranksOnThisMachine = 1)
    {
        if (requested is > 0) return (requested.Value, "--threads");
        if (pipeline is > 0) return (pipeline.Value, "pipeline");
        if (int.TryParse(Environment.GetEnvironmentVariable("OMP_NUM_THREADS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int omp) && omp > 0)
            return (omp, "OMP_NUM_THREADS");
        int cores = PhysicalCores();
        return ranksOnThisMachine > 1
            ? (Math.Max(1, cores / ranksOnThisMachine), $"physical cores ({cores}) / {ranksOnThisMachine} ranks")
            : (cores, $"physical cores ({cores})");
    }

    /// <summary>Sets libtorch's intra-op pool to <paramref name="threads"/>; the inter-op pool too, once per process (libtorch refuses later changes).</summary>
    public static void Apply(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        lock (Gate)
        {
            if (get_num_threads() != threads) set_num_threads(threads);
            if (interopSet is null)
            {
                try
                {
                    if (get_num_interop_threads() != threads) set_num_interop_threads(threads);
                }
                catch (Exception e) when (e is ExternalException or InvalidOperationException)
                {
                    // libtorch allows it only before inter-op work has started; the intra-op count is what training uses.
                }
                interopSet = threads;
            }
        }
    }
}
