namespace Diffusion.Denoisers.Layers;

/// <summary>Multi-head self-attention over a sequence [B, N, D] (every position sees every other: bidirectional).</summary>
internal sealed class SelfAttention : nn.Module<Tensor, Tensor>
{
    private readonly int heads;
    private readonly Linear qkv;
    private readonly Linear proj;

    public SelfAttention(long dim, int heads) : base(nameof(SelfAttention))
    {
        this.heads = heads;
        qkv = nn.Linear(dim, 3 * dim);
        proj = nn.Linear(dim, dim);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        long b = x.shape[0], n = x.shape[1], d = x.shape[2];
        // [B, N, 3D] -> [3, B, heads, N, headDim]
        var parts = qkv.call(x).reshape(b, n, 3, heads, d / heads).permute(2, 0, 3, 1, 4);
        var (q, k, v) = (parts[0], parts[1], parts[2]);
        MacCount.Attention(q, k, v);
        var attended = Attention.Unmasked(q, k, v);
        return proj.call(attended.transpose(1, 2).reshape(b, n, d));
    }
}
