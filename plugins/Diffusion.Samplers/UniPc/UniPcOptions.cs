namespace Diffusion.Samplers.UniPc;

/// <summary>Options of <see cref="UniPcSampler"/>.</summary>
public sealed class UniPcOptions : SigmaSamplerOptions
{
    /// <summary>Order p of the predictor UniP-p; the corrector raises the accuracy to p + 1. Default 2, as diffusers.</summary>
    [Range(1, 3), Description("Order of the predictor; the corrector adds one (2 gives a third-order method).")]
    public int SolverOrder { get; set; } = 2;

    /// <summary>B(h): bh1 or bh2 (default).</summary>
    [Description("B(h) of the update: bh1 (h) or bh2 (e^h - 1).")]
    public UniPcVariant Variant { get; set; } = UniPcVariant.Bh2;
}
