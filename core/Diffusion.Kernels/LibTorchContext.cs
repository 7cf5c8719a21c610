using System.Runtime.InteropServices;
using TorchSharp;

namespace Diffusion.Kernels;

/// <summary>
/// The few switches and version strings of libtorch's global context that TorchSharp does not expose, reached through
/// the exported C++ symbols of <c>libtorch_cpu.so</c> (libtorch 2.10, Itanium ABI): whether ATen may use oneDNN
/// (<c>torch.backends.mkldnn.enabled</c> in PyTorch) and the oneDNN, MKL, OpenMP and CPU-capability strings. Each
/// member degrades to "unavailable" where the library or a symbol is missing (another libtorch build or OS).
/// </summary>
public static unsafe class LibTorchContext
{
    private static readonly Lazy<nint> Library = new(Open);

    /// <summary>True when the symbols were found (Linux x64 with libtorch_cpu loaded).</summary>
    public static bool Available => Export("_ZN2at13globalContextEv") != 0;

    /// <summary>Whether ATen's convolutions (and other oneDNN-backed ops) may use oneDNN; null when unknown.</summary>
    public static bool? OneDnnEnabled => GetFlag("_ZNK2at7Context17userEnabledMkldnnEv");

    /// <summary>Allows or forbids oneDNN for every later op in the process; false when the switch is unavailable.</summary>
    public static bool SetOneDnnEnabled(bool enabled) => SetFlag("_ZN2at7Context20setUserEnabledMkldnnEb", enabled);

    /// <summary>Whether ATen may use NNPACK for convolutions (<c>torch.backends.nnpack.enabled</c>); null when unknown.</summary>
    public static bool? NnpackEnabled => GetFlag("_ZNK2at7Context17userEnabledNNPACKEv");

    /// <summary>Allows or forbids NNPACK for every later op in the process; false when the switch is unavailable.</summary>
    public static bool SetNnpackEnabled(bool enabled) => SetFlag("_ZN2at7Context20setUserEnabledNNPACKEb", enabled);

    /// <summary>A boolean getter of <c>at::Context</c> (a const member function), called on the global context.</summary>
    private static bool? GetFlag(string getter)
    {
        nint global = Export("_ZN2at13globalContextEv"), get = Export(getter);
        if (global == 0 || get == 0) return null;
        nint context = ((delegate* unmanaged<nint>)global)();
        return ((delegate* unmanaged<nint, byte>)get)(context) != 0;
    }

    /// <summary>A boolean setter of <c>at::Context</c>, called on the global context; false when a symbol is missing.</summary>
    private static bool SetFlag(string setter, bool value)
    {
        nint global = Export("_ZN2at13globalContextEv"), set = Export(setter);
        if (global == 0 || set == 0) return false;
        nint context = ((delegate* unmanaged<nint>)global)();
        ((delegate* unmanaged<nint, byte, void>)set)(context, value ? (byte)1 : (byte)0);
        return true;
    }

    /// <summary>oneDNN's version as libtorch reports it (e.g. "3.7.1 (Git Hash ...)").</summary>
    public static string OneDnnVersion => StringResult("_ZN2at18get_mkldnn_versionB5cxx11Ev");

    /// <summary>MKL's version string, or "unavailable".</summary>
    public static string MklVersion => StringResult("_ZN2at15get_mkl_versionB5cxx11Ev");

    /// <summary>The OpenMP runtime libtorch was built with.</summary>
    public static string OpenMpVersion => StringResult("_ZN2at18get_openmp_versionB5cxx11Ev");

    /// <summary>ATen's own vectorised-kernel level on this CPU (DEFAULT, AVX2, AVX512).</summary>
    public static string CpuCapability => StringResult("_ZN2at18get_cpu_capabilityB5cxx11Ev");

    /// <summary>libtorch's build configuration (compiler, BLAS, flags), as <c>torch.__config__.show()</c> prints it.</summary>
    public static string BuildConfiguration => StringResult("_ZN2at11show_configB5cxx11Ev");

    /// <summary>
    /// Calls a libtorch function returning <c>std::string</c> by value. The Itanium ABI returns such a class through a
    /// hidden pointer to caller-owned storage; libstdc++'s string there is (data pointer, length, 16-byte local buffer).
    /// Long results stay allocated: these are read once per process.
    /// </summary>
    private static string StringResult(string symbol)
    {
        nint function = Export(symbol);
        if (function == 0) return "unavailable";
        byte* storage = stackalloc byte[32];
        ((delegate* unmanaged<byte*, byte*>)function)(storage);
        byte* data = *(byte**)storage;
        long length = *(long*)(storage + 8);
        return length is < 0 or > 1 << 20 ? "unavailable" : Marshal.PtrToStringUTF8((nint)data, (int)length).Trim();
    }

    private static nint Export(string symbol) =>
        Library.Value != 0 && NativeLibrary.TryGetExport(Library.Value, symbol, out nint address) ? address : 0;

    private static nint Open()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        _ = torch.get_num_threads(); // TorchSharp loads libtorch (and so libtorch_cpu) on first use
        // Already loaded by TorchSharp, so the loader returns that copy by its soname, wherever it lives.
        return NativeLibrary.TryLoad("libtorch_cpu.so", out nint handle) ? handle : 0;
    }
}
