namespace Diffusion.Denoisers.DiT;

/// <summary>Fixed 2-D sine-cosine position embeddings of a patch grid (as in ViT-MAE and DiT).</summary>
internal static class PatchPositions
{
    /// <summary>[rows·cols, dim] embeddings, row-major: the first half of each encodes the row, the second the column.</summary>
    public static Tensor SineCosine(long rows, long cols, long dim, Device device)
    {
        long quarter = dim / 4;
        var omega = (arange(quarter, dtype: ScalarType.Float32, device: device) * (-Math.Log(10000.0) / quarter)).exp();
        var r = arange(rows, dtype: ScalarType.Float32, device: device).repeat_interleave(cols); // [N]
        var c = arange(cols, dtype: ScalarType.Float32, device: device).repeat(rows);            // [N]
        var rArgs = r.unsqueeze(1) * omega.unsqueeze(0);
        var cArgs = c.unsqueeze(1) * omega.unsqueeze(0);
        return cat([rArgs.sin(), rArgs.cos(), cArgs.sin(), cArgs.cos()], dim: 1);
    }
}
