using System.Runtime.InteropServices;

namespace Diffusion.Core.Host;

/// <summary>
/// What a host does first, before libtorch is loaded (docs/performance.md):
/// <list type="bullet">
/// <item>glibc's allocator keeps freed tensor buffers instead of returning them to the kernel after every step. By
/// default glibc raises its mmap threshold as large blocks are freed and trims the heap top after each step, so a fresh
/// process pays <c>mmap</c>/<c>munmap</c> and page faults for the few MB of activations and gradients each training step
/// allocates; fixed thresholds make a fresh process run at its warm speed.</item>
/// <item>OpenMP threads that wait for work spin only briefly before sleeping, so on a shared or oversubscribed machine a
/// libtorch thread does not burn the core another process (or its own sibling thread) needs.</item>
/// </list>
/// Each choice yields to the user's own: <c>GLIBC_TUNABLES</c> with a malloc setting, <c>OMP_WAIT_POLICY</c> or
/// <c>GOMP_SPINCOUNT</c>; <c>DIFFUSION_MALLOC=system</c> and <c>DIFFUSION_OMP_WAIT=system</c> turn them off.
/// </summary>
public static partial class ProcessSetup
{
    /// <summary>glibc's <c>M_TRIM_THRESHOLD</c>: heap top kept before it is given back.</summary>
    public const long TrimThreshold = 256L << 20;

    /// <summary>
    /// glibc's <c>M_MMAP_THRESHOLD</c>: blocks from this size on get their own mapping. 32 MiB is the largest glibc 2.36
    /// accepts on 64-bit (half its heap size); anything above it is refused and the dynamic threshold would stay.
    /// </summary>
    public const long MmapThreshold = 32L << 20;

    /// <summary>The spin count given to libgomp (iterations, about 10 µs) before an idle thread sleeps.</summary>
    public const string SpinCount = "1000";

    private const int MTrimThreshold = -1, MMmapThreshold = -3;
    private static readonly Lock Gate = new();
    private static ProcessSetupReport? applied;

    /// <summary>Applies the settings once per process (later calls return the first report); call before any TorchSharp type is used.</summary>
    public static ProcessSetupReport Apply()
    {
        lock (Gate)
        {
            return applied ??= new ProcessSetupReport(ConfigureAllocator(), ConfigureOpenMpWaiting());
        }
    }

    /// <summary>The report of <see cref="Apply"/>, or null when this process's host did not call it (tests, embedding).</summary>
    public static ProcessSetupReport? Applied
    {
        get
        {
            lock (Gate) return applied;
        }
    }

    private static string ConfigureAllocator()
    {
        if (!OperatingSystem.IsLinux()) return "system (not Linux)";
        if (Environment.GetEnvironmentVariable("DIFFUSION_MALLOC") is "system") return "system (DIFFUSION_MALLOC=system)";
        if (Environment.GetEnvironmentVariable("GLIBC_TUNABLES") is { } tunables && tunables.Contains("glibc.malloc.", StringComparison.Ordinal))
            return "system (GLIBC_TUNABLES)";
        try
        {
            bool trim = mallopt(MTrimThreshold, (int)TrimThreshold) == 1;
            bool mmap = mallopt(MMmapThreshold, (int)MmapThreshold) == 1;
            return trim && mmap
                ? $"fixed thresholds (trim {TrimThreshold >> 20} MiB, mmap {MmapThreshold >> 20} MiB)"
                : $"system (mallopt refused: trim {(trim ? "ok" : "no")}, mmap {(mmap ? "ok" : "no")})";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return "system (not glibc)"; // musl and others have no mallopt
        }
    }

    private static string ConfigureOpenMpWaiting()
    {
        if (Environment.GetEnvironmentVariable("DIFFUSION_OMP_WAIT") is "system") return "system (DIFFUSION_OMP_WAIT=system)";
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is { Length: > 0 } policy) return $"OMP_WAIT_POLICY={policy} (yours)";
        if (Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is { Length: > 0 } spins) return $"GOMP_SPINCOUNT={spins} (yours)";
        if (!OperatingSystem.IsLinux()) return "system (not Linux)";
        // libgomp reads its environment when it is loaded (with libtorch), through the C library's environ, which
        // Environment.SetEnvironmentVariable does not change on Unix: setenv does. Child processes inherit it too.
        try
        {
            if (setenv("GOMP_SPINCOUNT", SpinCount, 1) != 0) return "system (setenv failed)";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return "system (no setenv)";
        }
        Environment.SetEnvironmentVariable("GOMP_SPINCOUNT", SpinCount);
        return $"GOMP_SPINCOUNT={SpinCount}";
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int mallopt(int parameter, int value);

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
