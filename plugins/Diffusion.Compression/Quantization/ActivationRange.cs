using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Diffusion.Abstractions.Compression;
using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Options;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Samplers;
using Diffusion.Compression.Weights;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Diffusion.Compression.Quantization;

/// <summary>How activation ranges are taken from the calibration calls.</summary>
public enum ActivationRange
{
    /// <summary>The smallest and largest value seen.</summary>
    [OptionName("minmax")]
    MinMax,
    /// <summary>Per call the (1 − p) and p percentiles, then the widest over all calls: ignores rare outliers.</summary>
    Percentile,
}
