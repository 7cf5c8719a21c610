using TorchSharp.Modules;

namespace Diffusion.Modalities.Image.Latent;

/// <summary>GroupNorm initialised as PyTorch does.</summary>
internal static class GroupNorms
{
    /// <summary>
    /// A GroupNorm (eps 1e-6, as SD's autoencoder) with weight 1 and bias 0: TorchSharp 0.107's <c>nn.GroupNorm</c> allocates
    /// its affine parameters with <c>torch.empty</c> and never initialises them (NaNs included; see the denoisers' Normalization).
    /// </summary>
    public static GroupNorm Create(long groups, long channels)
    {
        var norm = nn.GroupNorm(Math.Min(groups, channels), channels, eps: 1e-6);
        using (no_grad())
        {
            norm.weight.fill_(1.0);
            norm.bias?.zero_();
        }
        return norm;
    }
}
