using Diffusion.Abstractions.Runs;
using static TorchSharp.torch;

namespace Diffusion.Abstractions.PostProcessing;

/// <summary>A transformation applied to generated samples; a pipeline chains them in order.</summary>
public interface IPostProcessor
{
    /// <summary>Returns the processed samples; must not change <paramref name="samples"/> in place.</summary>
    Tensor Process(Tensor samples, IRunContext context);
}
