using static TorchSharp.torch;

namespace Diffusion.Denoisers.Common;

/// <summary>Transformer-style sinusoidal features of (fractional) timesteps.</summary>
internal static class TimestepEmbedding
{
    /// <summary>[B] timesteps to [B, dim] features: cos and sin of t at frequencies 10000^(−k/half).</summary>
    public static Tensor Sinusoidal(Tensor t, int dim)
    {
        int half = dim / 2;
        var exponents = arange(half, dtype: ScalarType.Float32, device: t.device) * (-Math.Log(10000.0) / half);
        var args = t.to_type(ScalarType.Float32).unsqueeze(1) * exponents.exp().unsqueeze(0);
        return cat([args.cos(), args.sin()], dim: 1);
    }
}
