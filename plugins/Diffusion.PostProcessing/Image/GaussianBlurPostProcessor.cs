namespace Diffusion.PostProcessing.Image;

/// <summary>Separable Gaussian blur per channel, edges replicated (a constant image stays constant).</summary>
[Plugin(PluginKind.PostProcessor, "gaussian-blur", Options = typeof(GaussianBlurOptions), Description = "Gaussian blur (sigma, kernel_size), edges replicated.")]
public sealed class GaussianBlurPostProcessor(GaussianBlurOptions options) : IPostProcessor
{
    /// <inheritdoc />
    public Tensor Process(Tensor samples, IRunContext context) =>
        Filters.On4d(samples, x => Filters.GaussianBlur(x, options.Sigma, options.KernelSize), "gaussian-blur");
}
