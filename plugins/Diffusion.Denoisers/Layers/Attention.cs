namespace Diffusion.Denoisers.Layers;

/// <summary>Scaled dot-product attention without a mask.</summary>
internal static class Attention
{
    /// <summary>
    /// softmax(q·kᵀ/√d)·v over [..., N, d] queries, keys and values, computed as libtorch's own math path computes it
    /// (q and k each scaled by d^(−1/4), then matmul, softmax, matmul), so the result is bit for bit that of
    /// <c>scaled_dot_product_attention</c> without a mask, and so are the gradients. On the CPU libtorch 2.10 takes that
    /// math path for these inputs and adds a "safe softmax" pass (a search for rows masked to −∞, which cannot occur
    /// without a mask): 11% of the quickstart UNet's sampling time, and half the attention's (docs/benchmarks.md,
    /// "Against PyTorch eager"). Masked attention keeps <c>scaled_dot_product_attention</c>.
    /// </summary>
    public static Tensor Unmasked(Tensor q, Tensor k, Tensor v)
    {
        double scale = Math.Sqrt(1.0 / Math.Sqrt(q.shape[^1]));
        using var scope = NewDisposeScope();
        var weights = matmul(q * scale, k.transpose(-2, -1) * scale).softmax(-1);
        return scope.MoveToOuter(matmul(weights, v));
    }
}
