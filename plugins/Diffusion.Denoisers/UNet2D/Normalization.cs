using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Diffusion.Denoisers.UNet2D;

/// <summary>Normalisation layers, initialised as PyTorch does.</summary>
internal static class Normalization
{
    /// <summary>
    /// A GroupNorm with weight 1 and bias 0. TorchSharp 0.107's <c>nn.GroupNorm</c> allocates its affine
    /// parameters with <c>torch.empty</c> and never initialises them, so they start as whatever memory held
    /// (NaNs included); PyTorch starts them at ones and zeros.
    /// </summary>
    public static GroupNorm Group(long groups, long channels)
    {
        var norm = nn.GroupNorm(groups, channels);
        using (no_grad())
        {
            norm.weight.fill_(1.0);
            norm.bias?.zero_();
        }
        return norm;
    }
}
