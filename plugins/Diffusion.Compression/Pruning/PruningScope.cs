using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Diffusion.Abstractions.Checkpoints;
using Diffusion.Abstractions.Compression;
using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;
using Diffusion.Compression.Weights;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Diffusion.Compression.Pruning;

/// <summary>Where magnitude pruning ranks weights.</summary>
public enum PruningScope
{
    /// <summary>One ranking over all pruned layers: layers with small weights lose more.</summary>
    Global,
    /// <summary>Each layer loses the same fraction of its weights.</summary>
    Layer,
}
