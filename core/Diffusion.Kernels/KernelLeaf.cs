namespace Diffusion.Kernels;

/// <summary>One input or weight of a <see cref="KernelCase"/>.</summary>
/// <param name="Name">What it is (input, weight, bias, query, ...), named in failure messages.</param>
/// <param name="Shape">Its shape.</param>
/// <param name="Scale">Its values' standard deviation (weights ~ 1/sqrt(fan-in), as initialisation gives them).</param>
public sealed record KernelLeaf(string Name, long[] Shape, double Scale = 1);
