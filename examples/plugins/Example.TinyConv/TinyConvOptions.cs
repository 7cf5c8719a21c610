using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Example.TinyConv;

/// <summary>Options of <see cref="TinyConvDenoiser"/>.</summary>
public sealed class TinyConvOptions
{
    /// <summary>Feature channels of the hidden layers.</summary>
    [Range(1, 1024), Description("Feature channels of the hidden layers.")]
    public int Hidden { get; set; } = 32;
}
