using TorchSharp;

namespace Diffusion.PostProcessing.Image;

/// <summary>Shared image filtering on [B, C, H, W] (or [C, H, W]) tensors, with edge pixels repeated past the border.</summary>
internal static class Filters
{
    /// <summary>Runs <paramref name="filter"/> on a 4-d view of <paramref name="images"/> and restores the original rank.</summary>
    public static Tensor On4d(Tensor images, Func<Tensor, Tensor> filter, string processor)
    {
        if (images.dim() is not (3 or 4))
            throw new Abstractions.Runs.PluginInputException($"{processor} works on images [B, C, H, W], got a tensor of shape [{string.Join(", ", images.shape)}]");
        bool single = images.dim() == 3;
        var x = single ? images.unsqueeze(0) : images;
        var result = filter(x.to_type(ScalarType.Float32));
        return (single ? result.squeeze(0) : result).to_type(images.dtype);
    }

    /// <summary>A normalised 1-d Gaussian of <paramref name="size"/> taps.</summary>
    public static Tensor Gaussian1d(double sigma, int size)
    {
        var offsets = arange(size, dtype: ScalarType.Float32) - (size - 1) / 2.0;
        var weights = (-(offsets * offsets) / (2 * sigma * sigma)).exp();
        return weights / weights.sum();
    }

    /// <summary>The kernel size for a Gaussian: <paramref name="size"/> when given, else 2·ceil(3σ) + 1.</summary>
    public static int GaussianSize(double sigma, int size) => size > 0 ? size : 2 * (int)Math.Ceiling(3 * sigma) + 1;

    /// <summary>Separable depthwise convolution with a 1-d kernel along height then width (edges replicated).</summary>
    public static Tensor Separable(Tensor x, Tensor kernel)
    {
        long c = x.shape[1], k = kernel.shape[0], pad = k / 2;
        var vertical = kernel.to(x.device).reshape(1, 1, k, 1).expand(c, 1, k, 1);
        var horizontal = kernel.to(x.device).reshape(1, 1, 1, k).expand(c, 1, 1, k);
        var h = nn.functional.conv2d(nn.functional.pad(x, [0, 0, pad, k - 1 - pad], PaddingModes.Replicate), vertical, groups: c);
        return nn.functional.conv2d(nn.functional.pad(h, [pad, k - 1 - pad, 0, 0], PaddingModes.Replicate), horizontal, groups: c);
    }

    /// <summary>Gaussian blur of a 4-d tensor.</summary>
    public static Tensor GaussianBlur(Tensor x, double sigma, int size)
    {
        using var kernel = Gaussian1d(sigma, GaussianSize(sigma, size));
        return Separable(x, kernel);
    }
}
