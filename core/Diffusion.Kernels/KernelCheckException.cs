namespace Diffusion.Kernels;

/// <summary>No kernel path computes correctly on this machine, or DIFFUSION_KERNELS has a value it does not know.</summary>
public sealed class KernelCheckException(string message) : Exception(message);
