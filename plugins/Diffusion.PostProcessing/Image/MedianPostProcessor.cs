using TorchSharp;

namespace Diffusion.PostProcessing.Image;

/// <summary>Median filter per channel over a k×k window, edges replicated: removes salt-and-pepper noise.</summary>
[Plugin(PluginKind.PostProcessor, "median", Options = typeof(MedianOptions), Description = "Median filter over a kernel_size x kernel_size window (removes salt-and-pepper noise).")]
public sealed class MedianPostProcessor(MedianOptions options) : IPostProcessor
{
    /// <inheritdoc />
    public Tensor Process(Tensor samples, IRunContext context) => Filters.On4d(samples, x =>
    {
        using var scope = NewDisposeScope();
        int k = options.KernelSize, pad = k / 2;
        var padded = nn.functional.pad(x, [pad, pad, pad, pad], PaddingModes.Replicate);
        var windows = padded.unfold(2, k, 1).unfold(3, k, 1); // [B, C, H, W, k, k]
        var median = windows.reshape(x.shape[0], x.shape[1], x.shape[2], x.shape[3], k * k).sort(dim: -1).Values.select(-1, k * k / 2); // k·k is odd: the middle value
        return scope.MoveToOuter(median.contiguous());
    }, "median");
}
