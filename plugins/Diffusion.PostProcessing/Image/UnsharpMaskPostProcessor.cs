namespace Diffusion.PostProcessing.Image;

/// <summary>Unsharp masking: x + amount · (x − blur(x)) where |x − blur(x)| ≥ threshold.</summary>
[Plugin(PluginKind.PostProcessor, "unsharp-mask", Options = typeof(UnsharpMaskOptions), Description = "Sharpens: x + amount * (x - blur(x)) where the detail exceeds threshold.")]
public sealed class UnsharpMaskPostProcessor(UnsharpMaskOptions options) : IPostProcessor
{
    /// <inheritdoc />
    public Tensor Process(Tensor samples, IRunContext context) => Filters.On4d(samples, x =>
    {
        using var scope = NewDisposeScope();
        var detail = x - Filters.GaussianBlur(x, options.Sigma, 0);
        var keep = detail.abs().ge(options.Threshold).to_type(x.dtype);
        return scope.MoveToOuter(x + options.Amount * detail * keep);
    }, "unsharp-mask");
}
