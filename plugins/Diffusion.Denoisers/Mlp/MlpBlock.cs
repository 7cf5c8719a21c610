namespace Diffusion.Denoisers.Mlp;

/// <summary>LayerNorm, linear, + projected conditioning, SiLU, dropout, linear; added to the input.</summary>
internal sealed class MlpBlock : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly LayerNorm norm;
    private readonly Linear fc1;
    private readonly Linear cond_proj;
    private readonly Dropout dropout;
    private readonly Linear fc2;

    public MlpBlock(long dim, long conditionDim, double dropoutRate) : base(nameof(MlpBlock))
    {
        norm = Normalization.Layer(dim);
        fc1 = nn.Linear(dim, dim);
        cond_proj = nn.Linear(conditionDim, dim);
        dropout = nn.Dropout(dropoutRate);
        fc2 = nn.Linear(dim, dim);
        RegisterComponents();
    }

    /// <summary>Runs the block on <paramref name="x"/> [B, D] with conditioning <paramref name="c"/> [B, E].</summary>
    public override Tensor forward(Tensor x, Tensor c)
    {
        var h = fc1.call(norm.call(x)) + cond_proj.call(nn.functional.silu(c));
        return x + fc2.call(dropout.call(nn.functional.silu(h)));
    }
}
