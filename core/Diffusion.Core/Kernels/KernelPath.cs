namespace Diffusion.Core.Kernels;

/// <summary>Which CPU kernels libtorch uses for training and sampling.</summary>
public enum KernelPath
{
    /// <summary>libtorch's own choice: oneDNN for float32 convolutions (the fast path).</summary>
    Default,

    /// <summary>oneDNN switched off through libtorch's global context: ATen's native convolutions (im2col + BLAS).</summary>
    Fallback,
}

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

/// <summary>No kernel path computes correctly on this machine, or DIFFUSION_KERNELS has a value it does not know.</summary>
public sealed class KernelCheckException(string message) : Exception(message);
