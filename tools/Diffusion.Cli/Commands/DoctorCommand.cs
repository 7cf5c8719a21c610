using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;
using Diffusion.Kernels;
using TorchSharp;

namespace Diffusion.Cli.Commands;

/// <summary>
/// <c>diffusion doctor [--json] [--recheck]</c>: the libraries, the CPU, threads and device, and the CPU-kernel self-check
/// with the path it chose. Exit 0 when a correct path is in use, 1 when no kernel path is correct on this machine, 2 when
/// DIFFUSION_KERNELS is not a kernel mode.
/// </summary>
internal static partial class DoctorCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text." };
        var recheck = new Option<bool>("--recheck") { Description = "Run the kernel self-check again, ignoring the cached result for this machine." };
        var command = new Command("doctor", "Show libtorch, oneDNN, the CPU and the kernel self-check (which kernels training uses here, and why).") { json, recheck };
        command.SetAction(result =>
        {
            if (!CommandLine.KernelModeIsValid()) return CommandLine.InvalidInput;
            KernelDecision? decision = null;
            string? failure = null;
            try
            {
                decision = result.GetValue(recheck) ? KernelGuard.RecheckForProcess() : KernelGuard.EnsureForProcess();
            }
            catch (KernelCheckException e)
            {
                failure = e.Message;
            }
            // A forced path runs no check; with --recheck, doctor checks the path in use so a forced fallback can be verified.
            var current = decision is { DefaultCheck: null, FallbackCheck: null } && result.GetValue(recheck) ? KernelSelfCheck.Run() : null;
            var report = Describe(MachineSignature.Current(), decision, current, failure);
            if (result.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(report, JsonOptions));
            else PrintText(report);
            if (failure is null) return 0;
            Console.Error.WriteLine($"error: {failure}");
            return 1;
        });
        return command;
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private sealed record Report(
        string Libtorch, string TorchSharp, string OneDnn, string Mkl, string OpenMp, string AtenCpuCapability,
        string Cpu, string CpuId, int LogicalCpus, string VectorExtensions, string Caches, int Threads, int InteropThreads,
        string Device, string KernelOverrides, string? KernelPath, string? KernelDecided, string? KernelReason, string? CacheFile,
        IReadOnlyList<KernelResult>? DefaultCheck, double? DefaultCheckSeconds, IReadOnlyList<KernelResult>? FallbackCheck, string? Error);

    private static Report Describe(MachineSignature machine, KernelDecision? decision, KernelCheckReport? current, string? failure) => new(
        Libtorch: TorchVersion().Match(LibTorchContext.BuildConfiguration) is { Success: true } m ? m.Groups[1].Value : "unknown",
        TorchSharp: machine.TorchSharpVersion,
        OneDnn: machine.OneDnnVersion,
        Mkl: machine.MklVersion,
        OpenMp: LibTorchContext.OpenMpVersion,
        AtenCpuCapability: machine.AtenCapability,
        Cpu: machine.CpuModel,
        CpuId: machine.CpuId,
        LogicalCpus: machine.LogicalCpus,
        VectorExtensions: machine.VectorExtensions,
        Caches: machine.Caches,
        Threads: machine.TorchThreads,
        InteropThreads: torch.get_num_interop_threads(),
        Device: torch.cuda.is_available() ? $"cuda ({torch.cuda.device_count()} GPU) and cpu" : "cpu (CUDA not available)",
        KernelOverrides: machine.Overrides.Length == 0 ? "none" : machine.Overrides,
        KernelPath: decision?.PathName,
        KernelDecided: decision?.How,
        KernelReason: decision?.Reason,
        CacheFile: decision?.CacheFile,
        DefaultCheck: decision?.Path == Kernels.KernelPath.Default && current is not null ? current.Results : decision?.DefaultCheck?.Results,
        DefaultCheckSeconds: decision?.Path == Kernels.KernelPath.Default && current is not null ? current.Seconds : decision?.DefaultCheck?.Seconds,
        FallbackCheck: decision?.Path == Kernels.KernelPath.Fallback && current is not null ? current.Results : decision?.FallbackCheck?.Results,
        Error: failure);

    private static void PrintText(Report r)
    {
        void Line(string label, string value) => Console.WriteLine($"{label,-18}{value}");
        Line("libtorch", $"{r.Libtorch} (TorchSharp {r.TorchSharp})");
        Line("oneDNN", r.OneDnn);
        Line("MKL", r.Mkl);
        Line("OpenMP", r.OpenMp);
        Line("ATen CPU kernels", r.AtenCpuCapability);
        Line("CPU", $"{r.Cpu} ({r.CpuId}), {r.LogicalCpus} logical CPUs");
        Line("vector ISA", r.VectorExtensions);
        Line("caches", r.Caches);
        Line("threads", $"{r.Threads} intra-op, {r.InteropThreads} inter-op");
        Line("device", r.Device);
        Line("kernel overrides", r.KernelOverrides);
        Line("kernel path", r.KernelPath is null ? "none correct" : $"{r.KernelPath} ({r.KernelDecided}){(r.KernelReason is null ? "" : ": " + r.KernelReason)}");
        if (r.CacheFile is not null) Line("cached in", r.CacheFile);
        PrintCheck("self-check (oneDNN)", r.DefaultCheck, r.DefaultCheckSeconds);
        PrintCheck("self-check (fallback)", r.FallbackCheck, null);
        if (r.DefaultCheck is null && r.KernelDecided == "cached") Console.WriteLine("(run 'diffusion doctor --recheck' to run the self-check again)");
    }

    private static void PrintCheck(string title, IReadOnlyList<KernelResult>? results, double? seconds)
    {
        if (results is null) return;
        Console.WriteLine($"{title}: {(results.All(k => k.Passed) ? "passed" : "FAILED")}{(seconds is { } s ? $" in {s:0.00} s" : "")}" +
                          $" (float32 against float64, error relative to the largest value; tolerance {KernelSelfCheck.Tolerance:G2})");
        foreach (var k in results)
            Console.WriteLine($"  {k.Name,-52} output {k.OutputError,9:G3}  {k.WorstGradient + " grad",-12} {k.GradientError,9:G3}  {(k.Passed ? "ok" : "WRONG")}");
    }

    [GeneratedRegex(@"TORCH_VERSION=([^,\s]+)")]
    private static partial Regex TorchVersion();
}
