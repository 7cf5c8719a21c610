namespace Diffusion.Denoisers.Layers;

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

    /// <summary>
    /// A LayerNorm over the last dimension; with <paramref name="affine"/>, weight 1 and bias 0. TorchSharp 0.107
    /// initialises these itself (checked), but it is set here too so the network never depends on it.
    /// </summary>
    public static LayerNorm Layer(long dim, bool affine = true, double eps = 1e-5)
    {
        var norm = nn.LayerNorm([dim], eps, elementwise_affine: affine);
        if (affine)
        {
            using (no_grad())
            {
                norm.weight!.fill_(1.0);
                norm.bias?.zero_();
            }
        }
        return norm;
    }

    /// <summary>Sets a layer's weight and bias to zero (the "zero" of adaLN-Zero, and zero-initialised output heads).</summary>
    public static Linear Zeroed(Linear layer)
    {
        using (no_grad())
        {
            layer.weight.zero_();
            layer.bias?.zero_();
        }
        return layer;
    }
}
