using static TorchSharp.torch;

namespace Diffusion.Abstractions.Denoisers;

/// <summary>
/// The network a denoiser builds: maps a noisy batch x_t [B, ...], timesteps t [B] (float, in training
/// timestep units) and optional conditioning to the model output (same shape as x_t).
/// </summary>
public abstract class DenoiserModule(string name) : nn.Module<Tensor, Tensor, Conditioning?, Tensor>(name);
