namespace Diffusion.Kernels;

/// <summary>How the kernel path of this process was decided.</summary>
/// <param name="Path">The path in use.</param>
/// <param name="How">"checked" (a self-check ran now), "cached" (an earlier check on this machine), or "forced by DIFFUSION_KERNELS=...".</param>
/// <param name="DefaultCheck">The self-check of the default path, when one ran in this process.</param>
/// <param name="FallbackCheck">The self-check of the fallback path, when one ran in this process.</param>
/// <param name="CacheFile">Where the decision is cached for this machine, or null when forced.</param>
/// <param name="Reason">Why the fallback is in use (the failing kernels), or null.</param>
public sealed record KernelDecision(KernelPath Path, string How, KernelCheckReport? DefaultCheck, KernelCheckReport? FallbackCheck,
    string? CacheFile, string? Reason)
{
    /// <summary>The path as recorded in run params and shown by <c>diffusion doctor</c>: default or fallback.</summary>
    public string PathName => Path == KernelPath.Default ? "default" : "fallback";
}
