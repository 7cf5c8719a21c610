using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;

namespace Diffusion.Denoisers.Mlp;

/// <summary>
/// A residual MLP for vectors (data kind "vector", items [D]), such as 2-D toy distributions. Other continuous data
/// is flattened to a vector and shaped back, so it also runs on small images. Input x_t [B, ...item shape] (float),
/// output the same shape; each block adds a projection of the timestep (and class) embedding.
/// </summary>
[Plugin(PluginKind.Denoiser, "mlp", Options = typeof(MlpOptions),
    Description = "Residual MLP for vectors and 2-D toy data (other continuous data is flattened); optional class labels.")]
public sealed class MlpDenoiser(MlpOptions options) : IDenoiser
{
    /// <inheritdoc />
    public DenoiserModule Build(DataSpec data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.ItemShape is not { Length: > 0 } shape || shape.Any(d => d < 1))
            throw new PluginInputException($"mlp needs items of a known shape, but the modality provides [{string.Join(", ", data.ItemShape ?? [])}]");
        if (data.Kind == "tokens" || (data.VocabSize > 0 && shape.Length == 1))
            throw new PluginInputException(
                $"mlp models continuous vectors, but the modality provides {data.Kind} data of shape [{string.Join(", ", shape)}] with a vocabulary of {data.VocabSize}: " +
                "use transformer1d for token sequences");
        return new MlpNetwork(options, shape, options.ClassConditional ? data.NumClasses : 0);
    }
}
