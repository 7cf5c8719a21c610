namespace Diffusion.Compression.Pruning;

/// <summary>Options of <see cref="MagnitudePruningPass"/>.</summary>
public sealed class MagnitudePruningOptions
{
    /// <summary>Fraction of the weights set to zero. Default 0.5.</summary>
    [Range(0.0, 0.999), Description("Fraction of the weights of linear and convolution layers set to zero.")]
    public double Sparsity { get; set; } = 0.5;

    /// <summary>Rank weights over all layers together (global) or within each layer (layer). Default global.</summary>
    [Description("global: one ranking over all layers; layer: every layer reaches the sparsity.")]
    public PruningScope Scope { get; set; } = PruningScope.Global;

    /// <summary>Layers whose name contains any of these strings are not pruned.</summary>
    [Description("Layers whose name contains any of these strings are not pruned (e.g. [conv_in, conv_out]).")]
    public string[] Exclude { get; set; } = [];
}
