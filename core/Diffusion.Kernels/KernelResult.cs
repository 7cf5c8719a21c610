namespace Diffusion.Kernels;

/// <summary>How one kernel did: the largest errors of its float32 output and leaf gradients against float64.</summary>
/// <param name="Name">The kernel case's name.</param>
/// <param name="OutputError">max |y32 − y64| / max |y64| (NaN when the float32 output is not finite).</param>
/// <param name="GradientError">The same for the worst leaf gradient.</param>
/// <param name="WorstGradient">Which leaf's gradient was worst (input, weight, bias, ...).</param>
/// <param name="Passed">Finite and both errors within the tolerance.</param>
public sealed record KernelResult(string Name, double OutputError, double GradientError, string WorstGradient, bool Passed);
