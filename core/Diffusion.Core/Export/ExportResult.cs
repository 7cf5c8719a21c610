namespace Diffusion.Core.Export;

/// <summary>What an export wrote.</summary>
/// <param name="Stage">The train stage whose checkpoint was exported.</param>
/// <param name="Step">The step of that checkpoint.</param>
/// <param name="Weights">Which weights were written (<see cref="ExportedWeights.Ema"/> or <see cref="ExportedWeights.Model"/>).</param>
/// <param name="Tensors">Number of tensors written.</param>
public sealed record ExportResult(string Stage, long Step, ExportedWeights Weights, int Tensors);
