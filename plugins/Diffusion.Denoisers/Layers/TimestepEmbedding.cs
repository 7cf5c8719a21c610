namespace Diffusion.Denoisers.Layers;

/// <summary>Transformer-style sinusoidal features of (fractional) timesteps.</summary>
internal static class TimestepEmbedding
{
    /// <summary>
    /// [B] timesteps to [B, dim] features: cos and sin of t at frequencies 10000^(−k/half); in t's dtype when t is
    /// floating-point (pass t in the network's dtype), float32 otherwise.
    /// </summary>
    public static Tensor Sinusoidal(Tensor t, int dim) => Sinusoidal(t, dim, t.is_floating_point() ? t.dtype : ScalarType.Float32);

    /// <summary>[B] timesteps to [B, dim] sinusoidal features in <paramref name="dtype"/> (the network's).</summary>
    public static Tensor Sinusoidal(Tensor t, int dim, ScalarType dtype)
    {
        int half = dim / 2;
        // Computed in float64 for a float64 network (gradient checks), else float32 (half precision would round the angles).
        var compute = t.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        var exponents = arange(half, dtype: compute, device: t.device) * (-Math.Log(10000.0) / half);
        var args = t.to_type(compute).unsqueeze(1) * exponents.exp().unsqueeze(0);
        return cat([args.cos(), args.sin()], dim: 1).to_type(dtype);
    }

    /// <summary>
    /// Timesteps <paramref name="t"/> on <paramref name="x"/>'s device for <see cref="Sinusoidal(Tensor, int, ScalarType)"/>:
    /// in x's dtype, except float32 for a bfloat16 or float16 network (mixed precision), whose 8 or 11 significant bits
    /// would merge neighbouring timesteps (bfloat16 holds 997 to 1000 as one value).
    /// </summary>
    public static Tensor For(Tensor t, Tensor x) =>
        t.to(x.dtype is ScalarType.BFloat16 or ScalarType.Float16 ? ScalarType.Float32 : x.dtype, x.device);
}
