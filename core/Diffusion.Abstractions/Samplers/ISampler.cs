using static TorchSharp.torch;

namespace Diffusion.Abstractions.Samplers;

/// <summary>
/// A sampler: the forward process it trains with (its noise schedule) and the reverse process that draws samples. It is a stateless value: <see cref="Sample"/> keeps its state in locals
/// and everything it needs comes through <see cref="ISamplingContext"/>, so one instance can serve several
/// sampling loops at once. Training uses <see cref="CreateSchedule"/>; sampling always uses the schedule the
/// model was trained with (<see cref="ISamplingContext.Schedule"/>), so any sampler works with any model.
/// </summary>
public interface ISampler
{
    /// <summary>The forward-process schedule this sampler's options describe (used when training).</summary>
    NoiseSchedule CreateSchedule();

    /// <summary>
    /// Runs the reverse process from <paramref name="noise"/> (standard normal, shape [B, ...]) to clean
    /// samples. Each step runs inside its own dispose scope. The last step returns the model's clean
    /// estimate with no noise added.
    /// </summary>
    Tensor Sample(Tensor noise, ISamplingContext context);
}
