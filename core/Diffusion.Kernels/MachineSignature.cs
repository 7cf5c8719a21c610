using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TorchSharp;

namespace Diffusion.Kernels;

/// <summary>
/// What decides which CPU kernels libtorch runs and how: the CPU (model, family, stepping, feature flags, caches), the
/// thread count, the library versions and the environment variables that limit oneDNN's or ATen's instruction set.
/// Two processes with the same signature run the same kernels, so a self-check result can be reused between them.
/// </summary>
public sealed record MachineSignature(
    string CpuModel, string CpuId, string Flags, string Caches, int LogicalCpus, int TorchThreads,
    string TorchSharpVersion, string OneDnnVersion, string MklVersion, string AtenCapability, string Overrides)
{
    /// <summary>Environment variables that change which kernels run; each is part of the signature.</summary>
    public static readonly string[] KernelVariables =
        ["DNNL_MAX_CPU_ISA", "ONEDNN_MAX_CPU_ISA", "DNNL_CPU_ISA_HINTS", "ATEN_CPU_CAPABILITY", "OMP_NUM_THREADS", "MKL_ENABLE_INSTRUCTIONS", "MKL_CBWR"];

    /// <summary>Reads this machine and process.</summary>
    public static MachineSignature Current()
    {
        var cpu = ReadCpuInfo();
        string Field(string name) => cpu.TryGetValue(name, out var value) ? value : "?";
        var overrides = KernelVariables.Select(v => (v, value: Environment.GetEnvironmentVariable(v)))
            .Where(p => !string.IsNullOrEmpty(p.value)).Select(p => $"{p.v}={p.value}");
        return new MachineSignature(
            CpuModel: Field("model name"),
            CpuId: $"{Field("vendor_id")} family {Field("cpu family")} model {Field("model")} stepping {Field("stepping")}",
            Flags: Field("flags"),
            Caches: ReadCaches(),
            LogicalCpus: Environment.ProcessorCount,
            TorchThreads: torch.get_num_threads(),
            TorchSharpVersion: typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                               ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "?",
            OneDnnVersion: LibTorchContext.OneDnnVersion,
            MklVersion: LibTorchContext.MklVersion,
            AtenCapability: LibTorchContext.CpuCapability,
            Overrides: string.Join(" ", overrides));
    }

    /// <summary>
    /// A short stable hash of the signature, <paramref name="checkVersion"/> (the self-check's own version) and the names of
    /// the kernels checked, so a decision about other kernels is never reused for these.
    /// </summary>
    public string Key(int checkVersion, IEnumerable<string>? kernels = null)
    {
        string checkedKernels = string.Join("|", kernels ?? []);
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this) + "|check " + checkVersion + "|" + checkedKernels));
        return Convert.ToHexStringLower(hash)[..16];
    }

    /// <summary>The ISA extensions among the CPU's flags that select kernels (sse4_1 … avx512_*, amx_*).</summary>
    public string VectorExtensions => string.Join(" ", Flags.Split(' ', StringSplitOptions.RemoveEmptyEntries)
        .Where(f => f.StartsWith("avx", StringComparison.Ordinal) || f.StartsWith("amx", StringComparison.Ordinal)
                    || f is "sse4_1" or "sse4_2" or "fma" or "f16c")
        .Order(StringComparer.Ordinal));

    private static Dictionary<string, string> ReadCpuInfo()
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists("/proc/cpuinfo")) return fields;
        foreach (string line in File.ReadLines("/proc/cpuinfo"))
        {
            if (line.Length == 0) break; // the first processor is enough
            int colon = line.IndexOf(':');
            if (colon > 0) fields.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim());
        }
        return fields;
    }

    /// <summary>The first CPU's caches from sysfs, e.g. "L1d 32K 8-way, L2 1024K 8-way, L3 32768K 16-way".</summary>
    private static string ReadCaches()
    {
        const string root = "/sys/devices/system/cpu/cpu0/cache";
        if (!Directory.Exists(root)) return "?";
        static string Read(string folder, string file) =>
            File.Exists(Path.Combine(folder, file)) ? File.ReadAllText(Path.Combine(folder, file)).Trim() : "?";
        return string.Join(", ", Directory.EnumerateDirectories(root, "index*").Order(StringComparer.Ordinal).Select(folder =>
        {
            string type = Read(folder, "type");
            string level = "L" + Read(folder, "level") + type switch { "Data" => "d", "Instruction" => "i", _ => "" };
            return $"{level} {Read(folder, "size")} {Read(folder, "ways_of_associativity")}-way";
        }));
    }
}
