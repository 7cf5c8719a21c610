namespace Diffusion.Denoisers.Layers;

/// <summary>The output layer of an adaLN transformer: LayerNorm modulated by c, then a linear map; both zero-initialised.</summary>
internal sealed class AdaLNFinalLayer : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly LayerNorm norm;
    private readonly Sequential adaLN_modulation;
    private readonly Linear linear;

    public AdaLNFinalLayer(long dim, long conditionDim, long outDim) : base(nameof(AdaLNFinalLayer))
    {
        norm = Normalization.Layer(dim, affine: false, eps: 1e-6);
        adaLN_modulation = nn.Sequential(nn.SiLU(), Normalization.Zeroed(nn.Linear(conditionDim, 2 * dim)));
        linear = Normalization.Zeroed(nn.Linear(dim, outDim));
        RegisterComponents();
    }

    /// <summary>Maps tokens [B, N, D] to [B, N, outDim].</summary>
    public override Tensor forward(Tensor x, Tensor c)
    {
        var m = adaLN_modulation.call(c).chunk(2, dim: 1);
        return linear.call(Modulation.Apply(norm.call(x), m[0], m[1]));
    }
}
