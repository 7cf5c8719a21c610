namespace Diffusion.Compression.Quantization;

/// <summary>Options of <see cref="W8A8SimPass"/>.</summary>
public sealed class W8A8SimOptions
{
    /// <summary>The sampler run to collect the denoiser inputs of the calibration.</summary>
    [Required, ComponentRef(PluginKind.Sampler), OptionAlias("scheduler"), Description("Sampler component run to calibrate (its whole trajectory is recorded).")]
    public string Sampler { get; set; } = "";

    /// <summary>Samples drawn for calibration. Default 16.</summary>
    [Range(1, 4096), Description("Samples drawn for calibration.")]
    public int CalibrationSamples { get; set; } = 16;

    /// <summary>Sampling steps of the calibration run: the timesteps at which every layer's input range is recorded. Default 50.</summary>
    [Range(1, 10_000), Description("Sampling steps of the calibration run (timesteps at which ranges are recorded).")]
    public int CalibrationSteps { get; set; } = 50;

    /// <summary>How ranges are taken. Default percentile.</summary>
    [Description("Activation range: minmax or percentile.")]
    public ActivationRange Range { get; set; } = ActivationRange.Percentile;

    /// <summary>The percentile of <c>range: percentile</c>. Default 0.9999.</summary>
    [Range(0.5, 1.0), Description("Percentile used by range: percentile.")]
    public double Percentile { get; set; } = 0.9999;

    /// <summary>Layers whose name contains any of these strings are left in float32.</summary>
    [Description("Layers whose name contains any of these strings are left in float32.")]
    public string[] Exclude { get; set; } = [];
}
