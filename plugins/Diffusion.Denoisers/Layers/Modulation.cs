namespace Diffusion.Denoisers.Layers;

/// <summary>Adaptive layer-norm modulation.</summary>
internal static class Modulation
{
    /// <summary>x·(1 + scale) + shift for x [B, N, D] and per-row scale and shift [B, D].</summary>
    public static Tensor Apply(Tensor x, Tensor shift, Tensor scale) => x * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1);
}
