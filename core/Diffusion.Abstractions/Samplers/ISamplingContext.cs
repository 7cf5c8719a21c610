using Diffusion.Abstractions.Denoisers;
using static TorchSharp.torch;

namespace Diffusion.Abstractions.Samplers;

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
