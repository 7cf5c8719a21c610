using Microsoft.Extensions.Logging;

namespace Diffusion.Kernels;

/// <summary>
/// Makes sure this process computes with CPU kernels that are right on this machine, before anything trains: it runs
/// <see cref="KernelSelfCheck"/> on libtorch's default path (oneDNN) and, if a kernel is wrong, switches oneDNN off and
/// checks again. The decision is cached per <see cref="MachineSignature"/>, so later processes only read a small file.
/// <c>DIFFUSION_KERNELS</c> overrides it: <c>auto</c> (the default), <c>fallback</c> (oneDNN off, no check; tests use it
/// to exercise the fallback on any CPU) or <c>default</c> (libtorch's choice, no check).
/// </summary>
public static class KernelGuard
{
    /// <summary>The environment variable that forces a path.</summary>
    public const string ModeVariable = "DIFFUSION_KERNELS";

    /// <summary>The self-check's version, part of the cache key: bump it when <see cref="KernelCase.Training"/> changes.</summary>
    public const int CheckVersion = 1;

    private static readonly Lock Gate = new();
    private static KernelDecision? current;

    /// <summary>The decision of this process, made on the first call (a fraction of a second, or a cache read).</summary>
    /// <exception cref="KernelCheckException">No path computes correctly, or DIFFUSION_KERNELS is not auto, default or fallback.</exception>
    public static KernelDecision EnsureForProcess(ILogger? logger = null)
    {
        lock (Gate)
        {
            if (current is null) NnpackSwitch.DisableIfUnsupported(MachineSignature.Current().Flags, logger);
            return current ??= Decide(Environment.GetEnvironmentVariable(ModeVariable), KernelCheckCache.Default(), KernelCase.Training, logger, recheck: false);
        }
    }

    /// <summary>Runs the self-check again whatever the cache says (<c>diffusion doctor --recheck</c>) and caches the new decision.</summary>
    public static KernelDecision RecheckForProcess(ILogger? logger = null)
    {
        lock (Gate)
        {
            return current = Decide(Environment.GetEnvironmentVariable(ModeVariable), KernelCheckCache.Default(), KernelCase.Training, logger, recheck: true);
        }
    }

    /// <summary>Why <paramref name="mode"/> (a DIFFUSION_KERNELS value) is not a kernel mode, or null when it is one (empty means auto).</summary>
    public static string? ModeError(string? mode) => mode?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" or "fallback" or "default" => null,
        _ => $"{ModeVariable}={mode} is not a kernel mode: use auto (check and choose, the default), fallback (oneDNN off) or default (libtorch's choice, unchecked)",
    };

    /// <summary>
    /// Decides the path for <paramref name="mode"/> (null or empty means auto) with <paramref name="cases"/>, applies it to
    /// libtorch's global context and returns it. Public for tests, which inject a wrong kernel.
    /// </summary>
    public static KernelDecision Decide(string? mode, KernelCheckCache cache, IReadOnlyList<KernelCase> cases, ILogger? logger, bool recheck)
    {
        switch (mode?.Trim().ToLowerInvariant())
        {
            case "fallback":
                Apply(KernelPath.Fallback);
                logger?.LogInformation("kernels: oneDNN off (forced by {Variable}=fallback)", ModeVariable);
                return new KernelDecision(KernelPath.Fallback, $"forced by {ModeVariable}=fallback", null, null, null, $"{ModeVariable}=fallback");
            case "default":
                Apply(KernelPath.Default);
                return new KernelDecision(KernelPath.Default, $"forced by {ModeVariable}=default", null, null, null, null);
            case null or "" or "auto":
                return Automatic(cache, cases, logger, recheck);
            default:
                throw new KernelCheckException(ModeError(mode)!);
        }
    }

    private static KernelDecision Automatic(KernelCheckCache cache, IReadOnlyList<KernelCase> cases, ILogger? logger, bool recheck)
    {
        var signature = MachineSignature.Current();
        string key = signature.Key(CheckVersion, cases.Select(c => c.Name));
        string file = cache.FileFor(key);
        if (!recheck && cache.Read(key) is { } cached)
        {
            Apply(cached);
            return new KernelDecision(cached, "cached", null, null, file,
                cached == KernelPath.Fallback ? $"an earlier self-check on this machine found wrong oneDNN kernels ({file})" : null);
        }

        Apply(KernelPath.Default);
        var defaultCheck = KernelSelfCheck.Run(cases);
        KernelDecision decision;
        if (defaultCheck.Passed)
        {
            decision = new KernelDecision(KernelPath.Default, "checked", defaultCheck, null, file, null);
        }
        else
        {
            Apply(KernelPath.Fallback);
            var fallbackCheck = KernelSelfCheck.Run(cases);
            if (!fallbackCheck.Passed)
            {
                Apply(KernelPath.Default);
                throw new KernelCheckException(
                    $"CPU kernels compute wrong results on this machine ({signature.CpuModel}), with oneDNN ({defaultCheck.Failures}) and without it " +
                    $"({fallbackCheck.Failures}); training here would produce wrong gradients or NaN. Run 'diffusion doctor' for details; " +
                    $"try limiting the instruction set before start-up (DNNL_MAX_CPU_ISA=AVX, ATEN_CPU_CAPABILITY=default), or set {ModeVariable}=default to run anyway");
            }
            decision = new KernelDecision(KernelPath.Fallback, "checked", defaultCheck, fallbackCheck, file, defaultCheck.Failures);
        }
        cache.Write(key, signature, decision);
        if (decision.Path == KernelPath.Fallback)
            logger?.LogWarning("kernels: oneDNN computes wrong results on this CPU ({Failures}); switched to libtorch's native kernels (slower, correct). 'diffusion doctor' shows the details",
                defaultCheck.Failures);
        return decision;
    }

    private static void Apply(KernelPath path)
    {
        if (!LibTorchContext.SetOneDnnEnabled(path == KernelPath.Default) && path == KernelPath.Fallback)
            throw new KernelCheckException("the kernel fallback needs libtorch's global context (libtorch_cpu.so's at::globalContext), which this libtorch build does not export");
    }
}
