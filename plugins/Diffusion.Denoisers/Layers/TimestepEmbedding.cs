namespace Diffusion.Denoisers.Layers;

/// <summary>Transformer-style sinusoidal features of (fractional) timesteps.</summary>
internal static class TimestepEmbedding
{
    /// <summary>
    /// [B] timesteps to [B, dim] features: cos and sin of t at frequencies 10000^(−k/half); in t's dtype when t is
    /// floating-point (pass t in the network's dtype), float32 otherwise.
    /// </summary>
    public static Tensor Sinusoidal(Tensor t, int dim)
    {
        int half = dim / 2;
        // Computed in float64 for a float64 network (gradient checks), else float32 (half precision would round the angles).
        var compute = t.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        var exponents = arange(half, dtype: compute, device: t.device) * (-Math.Log(10000.0) / half);
        var args = t.to_type(compute).unsqueeze(1) * exponents.exp().unsqueeze(0);
        return cat([args.cos(), args.sin()], dim: 1).to_type(t.is_floating_point() ? t.dtype : ScalarType.Float32);
    }
}
