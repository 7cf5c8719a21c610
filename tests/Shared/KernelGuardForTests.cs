using System.Runtime.CompilerServices;
using Diffusion.Kernels;

namespace Diffusion.Tests.Shared;

/// <summary>
/// Test assemblies that train or sample in-process take the same kernel decision as the CLI before any test runs: on a
/// CPU whose oneDNN kernels are wrong they use the fallback, and <c>DIFFUSION_KERNELS=fallback dotnet test</c> runs the
/// whole suite on the fallback on any CPU.
/// </summary>
internal static class KernelGuardForTests
{
#pragma warning disable CA2255 // a test assembly is the entry point here: the decision must precede every test
    [ModuleInitializer]
    internal static void Decide() => KernelGuard.EnsureForProcess();
#pragma warning restore CA2255
}
