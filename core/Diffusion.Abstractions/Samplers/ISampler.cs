using Diffusion.Abstractions.Denoisers;
using TorchSharp;
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

/// <summary>What a sampler may use while it runs.</summary>
public interface ISamplingContext
{
    /// <summary>The schedule the model was trained with.</summary>
    NoiseSchedule Schedule { get; }

    /// <summary>The number of denoising steps requested by the sample stage.</summary>
    int Steps { get; }

    /// <summary>
    /// Calls the denoiser (with any conditioning and guidance applied) on <paramref name="x"/> at training
    /// timesteps <paramref name="t"/> (shape [B], float: fractional timesteps are allowed) and returns its
    /// raw output, interpreted by <see cref="NoiseSchedule.Prediction"/>.
    /// </summary>
    Tensor Predict(Tensor x, Tensor t);

    /// <summary>Standard normal noise shaped like <paramref name="like"/>; row i comes from sample i's own generator.</summary>
    Tensor RandnLike(Tensor like);

    /// <summary>
    /// The data the model was trained on (shape and vocabulary); token samplers read the vocabulary size from it. Null when
    /// the context does not know it.
    /// </summary>
    DataSpec? Data => null;

    /// <summary>
    /// Records a statistic of the sampler (such as network evaluations a cache saved); the sample stage sums each key over
    /// its batches and logs it as the metric <c>STAGE/KEY</c>. Contexts that do not collect statistics ignore it.
    /// </summary>
    void Report(string key, double value) { }

    /// <summary>Reports progress after step <paramref name="step"/> (1-based) of <paramref name="total"/>; throws when the run is cancelled.</summary>
    void OnStep(int step, int total);
}
