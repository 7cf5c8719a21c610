using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Runs;

namespace Diffusion.Abstractions.Compression;

/// <summary>A model compression pass (quantization, pruning, casts) applied to a trained denoiser.</summary>
public interface ICompressionPass
{
    /// <summary>
    /// Compresses <paramref name="model"/> and returns the compressed network (which may be the same
    /// instance changed in place, or a new module).
    /// </summary>
    DenoiserModule Apply(DenoiserModule model, IRunContext context);
}
