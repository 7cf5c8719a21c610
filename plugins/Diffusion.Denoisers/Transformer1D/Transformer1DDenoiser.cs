using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;

namespace Diffusion.Denoisers.Transformer1D;

/// <summary>
/// A bidirectional transformer over token sequences with optional time conditioning, for text diffusion. Every position
/// attends to every other (no causal mask, no padding mask: padding is an ordinary token). Blocks are adaLN-Zero,
/// modulated by the timestep embedding (when <c>time_conditioning</c>), the class embedding (when
/// <c>class_conditional</c>) and the pooled context (when <c>context_dim</c> &gt; 0); with nothing to condition on, the
/// modulation is a learned constant. With <c>image_encoder_channels</c> &gt; 0 the sequence is conditioned on
/// <c>Conditioning.Image</c> (image-to-text): a small CNN (<see cref="Layers.ImageEncoder"/>) adds its pooled output to the
/// modulation and, with <c>image_tokens</c>, gives patch tokens every block cross-attends to; an all-zero or missing image is
/// the learned null condition (condition dropout, classifier-free guidance). Positions have learned embeddings, so sequences may be shorter than the data's
/// length but not longer.
/// <para>The input and output depend on the data spec the network is built for:</para>
/// <list type="bullet">
/// <item><description><b>Discrete</b> (items [L], <c>VocabSize</c> V &gt; 0, e.g. kind "tokens"): x_t is either token
/// indices [B, L] (long) in 0..V, where index V is the mask (absorbing) token of masked diffusion, or per-position
/// weights over the vocabulary [B, L, V] (float: one-hot, probabilities or a simplex, for continuous diffusion on the
/// simplex), which are embedded as the weighted sum of token embeddings. The output is logits over the vocabulary
/// [B, L, V] (float) in both cases; the mask token is never predicted.</description></item>
/// <item><description><b>Continuous</b> (items [L, E]): x_t is a sequence of vectors [B, L, E] (float), such as noisy
/// token embeddings (Diffusion-LM); the output has the same shape [B, L, E] (the prediction named by the schedule).
/// </description></item>
/// </list>
/// The timestep t is [B] (float, training timestep units).
/// </summary>
[Plugin(PluginKind.Denoiser, "transformer1d", Options = typeof(Transformer1DOptions),
    Description = "Bidirectional transformer over token sequences ([L] tokens -> vocab logits, or [L, E] vectors); optional time, class, context and image conditioning.")]
public sealed class Transformer1DDenoiser(Transformer1DOptions options) : IDenoiser
{
    /// <inheritdoc />
    public DenoiserModule Build(DataSpec data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int classes = options.ClassConditional ? data.NumClasses : 0;
        var image = ConditionImageShape(data);
        return data.ItemShape switch
        {
            [var length] when data.VocabSize > 0 && length > 0 => new Transformer1DNetwork(options, length, data.VocabSize, 0, classes, image),
            [var length, var width] when length > 0 && width > 0 => new Transformer1DNetwork(options, length, 0, width, classes, image),
            _ => throw new PluginInputException(
                $"transformer1d models sequences: items [L] with a vocabulary (token indices) or [L, E] (vectors per position), " +
                $"but the modality provides {data.Kind} data of shape [{string.Join(", ", data.ItemShape ?? [])}] with a vocabulary of {data.VocabSize}"),
        };
    }

    /// <summary>The condition image shape the image encoder is built for, or null when the options ask for none.</summary>
    private long[]? ConditionImageShape(DataSpec data)
    {
        if (options.ImageEncoderChannels == 0) return null;
        if (data.ConditionImageShape is null)
            throw new PluginInputException(
                $"transformer1d has image_encoder_channels: {options.ImageEncoderChannels}, but the {data.Kind} data it is built for carries no condition images: " +
                "use a modality whose items come with an image (such as image-caption), or set image_encoder_channels: 0");
        if (data.ConditionImageShape is not [> 0, > 0, > 0])
            throw new PluginInputException(
                $"transformer1d's image encoder takes condition images [C, H, W], but the data gives [{string.Join(", ", data.ConditionImageShape)}]");
        return data.ConditionImageShape;
    }
}
