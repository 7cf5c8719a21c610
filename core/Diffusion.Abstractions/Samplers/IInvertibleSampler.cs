using static TorchSharp.torch;

namespace Diffusion.Abstractions.Samplers;

/// <summary>
/// A sampler whose deterministic path can be run backwards (DDIM inversion, used for editing real samples): <see cref="Invert"/>
/// maps clean samples to the noise from which <see cref="ISampler.Sample"/> with the same context settings (schedule, steps)
/// returns approximately those samples. Stateless like every sampler.
/// </summary>
public interface IInvertibleSampler : ISampler
{
    /// <summary>
    /// Runs the deterministic sampler backwards from clean <paramref name="samples"/> [B, ...] to standard-normal-shaped noise
    /// of the same shape, evaluating the model once per step (<see cref="ISamplingContext.Steps"/> steps, in their own dispose
    /// scopes). Draws no random numbers.
    /// </summary>
    Tensor Invert(Tensor samples, ISamplingContext context);
}
