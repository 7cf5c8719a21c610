using System.Reflection;
using System.Runtime.Loader;

namespace Diffusion.Core.Plugins;

/// <summary>
/// The load context of one plugin assembly: its own dependencies are resolved from its folder (through its
/// .deps.json), while the contracts (Diffusion.Abstractions), TorchSharp and Microsoft.Extensions.* come from
/// the host, so that <c>Tensor</c>, <c>Module</c> and the plugin interfaces are the same types on both sides.
/// Plugins are never unloaded.
/// </summary>
internal sealed class PluginLoadContext(string mainAssemblyPath)
    : AssemblyLoadContext(Path.GetFileNameWithoutExtension(mainAssemblyPath), isCollectible: false)
{
    private readonly AssemblyDependencyResolver _resolver = new(mainAssemblyPath);

    /// <summary>True for assemblies every plugin must share with the host.</summary>
    public static bool IsShared(AssemblyName name)
    {
        string simple = name.Name ?? "";
        return simple is "Diffusion.Abstractions" or "TorchSharp"
               || simple.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal);
    }

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (IsShared(assemblyName)) return null; // falls back to the host's (default) context
        string? path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    /// <inheritdoc />
    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        string? path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
