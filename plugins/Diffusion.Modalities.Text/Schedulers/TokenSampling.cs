using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Schedulers;
using static TorchSharp.torch;

namespace Diffusion.Modalities.Text.Schedulers;

/// <summary>Pieces the token schedulers share: random draws from the per-sample generators, categorical sampling, time draws.</summary>
internal static class TokenSampling
{
    /// <summary>The vocabulary size V of the model being sampled (the mask index is V).</summary>
    public static int VocabSize(ISamplingContext context) =>
        context.Data is { VocabSize: > 0 } data
            ? data.VocabSize
            : throw new PluginInputException("a token scheduler needs a model trained on token data (a modality with a vocabulary, such as text)");

    /// <summary>
    /// Uniform [0, 1) values shaped like <paramref name="like"/> from each sample's own generator: standard normal draws of
    /// <see cref="ISamplingContext.RandnLike"/> through the normal CDF, so sample i's draws depend only on (seed, i).
    /// </summary>
    public static Tensor Uniform(ISamplingContext context, Tensor like)
    {
        var z = context.RandnLike(zeros(like.shape, dtype: ScalarType.Float64, device: like.device));
        return (0.5 * (1 + (z / Math.Sqrt(2)).erf())).clamp(0, 1 - 1e-12);
    }

    /// <summary>
    /// One index per row of <paramref name="probabilities"/> [..., V] (non-negative, any total), chosen by inverse CDF with
    /// uniforms <paramref name="u"/> [...].
    /// </summary>
    public static Tensor Categorical(Tensor probabilities, Tensor u)
    {
        var cumulative = probabilities.to_type(ScalarType.Float64).cumsum(-1);
        var threshold = u.to_type(ScalarType.Float64).unsqueeze(-1) * cumulative.narrow(-1, cumulative.shape[^1] - 1, 1);
        return cumulative.lt(threshold).sum(-1).clamp(max: probabilities.shape[^1] - 1).to_type(ScalarType.Int64);
    }

    /// <summary>
    /// Training times t in [<paramref name="eps"/>, 1] for a batch of <paramref name="count"/>: antithetic (one uniform u
    /// shifted by i/B modulo 1, so the batch covers [0, 1) evenly: low-discrepancy sampling) or independent uniforms.
    /// </summary>
    public static Tensor TrainingTimes(int count, bool antithetic, double eps, Generator generator)
    {
        var u = antithetic
            ? (rand([1], dtype: ScalarType.Float64, generator: generator) + arange(count, dtype: ScalarType.Float64) / count).remainder(1.0)
            : rand([count], dtype: ScalarType.Float64, generator: generator);
        return eps + (1 - eps) * u;
    }

    /// <summary>Checks the clean tokens of a loss call: [B, L] integers below V.</summary>
    public static void CheckTokens(Tensor x0, DataSpec data)
    {
        if (x0.dim() != 2 || x0.is_floating_point())
            throw new ArgumentException($"token schedulers train on token indices [B, L] (integers), got {x0.dtype} [{string.Join(", ", x0.shape)}]");
        if (data.VocabSize <= 0) throw new ArgumentException("the data spec has no vocabulary");
    }

    /// <summary>Checks the input of a sampling call: [B, L] integers in 0..V (V = position to generate).</summary>
    public static void CheckInfillTokens(Tensor tokens, int vocabSize)
    {
        if (tokens.dim() != 2 || tokens.is_floating_point())
            throw new ArgumentException($"infill takes tokens [B, L] (integers, {vocabSize} = generate), got {tokens.dtype} [{string.Join(", ", tokens.shape)}]");
    }
}
