using Diffusion.Abstractions.Denoisers;
using static TorchSharp.torch;

namespace Diffusion.Abstractions.Samplers;

/// <summary>
/// A sampler for discrete data (token indices, <see cref="DataSpec.VocabSize"/> &gt; 0), such as masked (absorbing-state)
/// or uniform discrete diffusion. Its forward process is not Gaussian, so it brings its own training objective
/// (<see cref="Loss"/>), which the train and evaluate stages use instead of the mean squared error, and samples by filling
/// in token positions (<see cref="Infill"/>). The denoiser maps tokens [B, L] (long; index V = <c>VocabSize</c> is the mask
/// token) and timesteps [B] (float, in units of <see cref="NoiseSchedule.Timesteps"/>) to logits over the vocabulary [B, L, V].
/// Stateless like every sampler. <see cref="ISampler.Sample"/> generates every position: its input's values are ignored,
/// only its shape [B, L] is used, and <see cref="ISamplingContext.Data"/> gives the vocabulary.
/// </summary>
public interface ITokenSampler : ISampler
{
    /// <summary>
    /// The negative evidence lower bound (NELBO) of each item, in nats per position [B] (float), estimated with one draw of
    /// the time and the corruption from <paramref name="generator"/>: its mean is the training loss and its exponential a
    /// perplexity bound.
    /// </summary>
    /// <param name="x0">Clean tokens [B, L] (long, values in 0..V−1).</param>
    /// <param name="data">The data spec (its vocabulary size V).</param>
    /// <param name="predict">The denoiser: (x_t [B, L] long, t [B] float timesteps) to logits [B, L, V].</param>
    /// <param name="generator">The CPU generator all random draws come from.</param>
    Tensor Loss(Tensor x0, DataSpec data, Func<Tensor, Tensor, Tensor> predict, Generator generator);

    /// <summary>
    /// Generates the positions of <paramref name="tokens"/> [B, L] (long) that hold the mask index V and returns the completed
    /// tokens; every other position is kept exactly (prefixes, suffixes and spans for infilling). Randomness comes from
    /// <see cref="ISamplingContext.RandnLike"/> (each sample's own generator); each step runs in its own dispose scope.
    /// </summary>
    Tensor Infill(Tensor tokens, ISamplingContext context);
}
