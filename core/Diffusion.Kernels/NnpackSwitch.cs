using Microsoft.Extensions.Logging;

namespace Diffusion.Kernels;

/// <summary>
/// NNPACK (one of libtorch's convolution back ends) needs AVX2 and FMA on x86-64. On a CPU without them libtorch still
/// tries it when oneDNN is not taken (the kernel fallback, issue 15) and prints "Could not initialize NNPACK! Reason:
/// Unsupported hardware." into the run's output; switching NNPACK off there first keeps the output clean and changes no
/// numbers (NNPACK could not run anyway).
/// </summary>
public static class NnpackSwitch
{
    private static readonly Lock Gate = new();
    private static bool done;

    /// <summary>Whether NNPACK can initialise on a CPU with these /proc/cpuinfo flags (true where the flags say nothing: not x86).</summary>
    public static bool Supported(string flags)
    {
        var set = flags.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        bool x86 = set.Contains("sse2") || set.Contains("sse");
        return !x86 || (set.Contains("avx2") && set.Contains("fma"));
    }

    /// <summary>Once per process: switches NNPACK off when this CPU cannot run it. True when it was switched off.</summary>
    public static bool DisableIfUnsupported(string flags, ILogger? logger = null)
    {
        lock (Gate)
        {
            if (done) return false;
            done = true;
            if (Supported(flags) || !LibTorchContext.SetNnpackEnabled(false)) return false;
            logger?.LogInformation("NNPACK switched off: this CPU lacks AVX2/FMA, which it needs");
            return true;
        }
    }
}
