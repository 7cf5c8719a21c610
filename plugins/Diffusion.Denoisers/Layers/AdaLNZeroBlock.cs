namespace Diffusion.Denoisers.Layers;

/// <summary>
/// A transformer block with adaLN-Zero conditioning (Peebles and Xie 2023): the conditioning vector c gives the
/// shift, scale and gate of both the attention and the MLP branch; the gates start at zero, so a fresh block is the
/// identity. With a context, a cross-attention branch (pre-LayerNorm, residual) sits between the two.
/// </summary>
internal sealed class AdaLNZeroBlock : nn.Module<Tensor, Tensor, ContextInput?, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly SelfAttention attn;
    private readonly LayerNorm? norm_cross;
    private readonly CrossAttention? cross;
    private readonly LayerNorm norm2;
    private readonly Sequential mlp;
    private readonly Sequential adaLN_modulation;

    /// <param name="dim">Width D of the tokens.</param>
    /// <param name="heads">Attention heads (divides D).</param>
    /// <param name="mlpRatio">Hidden width of the MLP as a multiple of D.</param>
    /// <param name="conditionDim">Width of c.</param>
    /// <param name="contextDim">Width of the cross-attention context, 0 for none.</param>
    /// <param name="dropout">Dropout in the MLP.</param>
    public AdaLNZeroBlock(long dim, int heads, double mlpRatio, long conditionDim, long contextDim, double dropout)
        : base(nameof(AdaLNZeroBlock))
    {
        long hidden = (long)Math.Round(dim * mlpRatio);
        norm1 = Normalization.Layer(dim, affine: false, eps: 1e-6);
        attn = new SelfAttention(dim, heads);
        if (contextDim > 0)
        {
            norm_cross = Normalization.Layer(dim);
            cross = new CrossAttention(dim, contextDim, heads);
        }
        norm2 = Normalization.Layer(dim, affine: false, eps: 1e-6);
        mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Dropout(dropout), nn.Linear(hidden, dim));
        adaLN_modulation = nn.Sequential(nn.SiLU(), Normalization.Zeroed(nn.Linear(conditionDim, 6 * dim)));
        RegisterComponents();
    }

    /// <summary>Runs the block on tokens <paramref name="x"/> [B, N, D] with conditioning <paramref name="c"/> [B, E].</summary>
    public override Tensor forward(Tensor x, Tensor c, ContextInput? context)
    {
        var m = adaLN_modulation.call(c).chunk(6, dim: 1);
        x = x + m[2].unsqueeze(1) * attn.call(Modulation.Apply(norm1.call(x), m[0], m[1]));
        if (cross is not null)
            x = x + cross.call(norm_cross!.call(x), context ?? throw new ArgumentException("this block was built with a context but got none"));
        return x + m[5].unsqueeze(1) * mlp.call(Modulation.Apply(norm2.call(x), m[3], m[4]));
    }
}
