using Diffusion.Abstractions.Samplers;

namespace Diffusion.Abstractions.Denoisers;

/// <summary>A denoiser network together with the schedule it was trained on and the data it models.</summary>
/// <param name="Network">The network (EMA weights when training kept them).</param>
/// <param name="Schedule">The forward process it was trained with; samplers use it.</param>
/// <param name="Data">The data spec the network was built for.</param>
public sealed record TrainedModel(DenoiserModule Network, NoiseSchedule Schedule, DataSpec Data);
