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
