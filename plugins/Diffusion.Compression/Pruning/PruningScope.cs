namespace Diffusion.Compression.Pruning;

/// <summary>Where magnitude pruning ranks weights.</summary>
public enum PruningScope
{
    /// <summary>One ranking over all pruned layers: layers with small weights lose more.</summary>
    Global,
    /// <summary>Each layer loses the same fraction of its weights.</summary>
    Layer,
}
