namespace Diffusion.Samplers.UniPc;

/// <summary>
/// Options of <see cref="UniPcSampler"/>.
/// The default sigma_schedule is auto: exponential (equal steps in log σ) from 8 steps, diffusers' sequence for this
/// solver below (the training schedule at timestep_spacing linspace_skip_zero, the n noisiest of n + 1 evenly spaced
/// timesteps). On the exact Gaussian flow exponential is several times more accurate than diffusers' sequence at 10, 20
/// and 50 steps; on a trained image model (fd) it is about as good or better from 8 steps and up to 9 times worse below
/// (docs/benchmarks.md, "Sampler defaults").
/// sigma_schedule: exponential or schedule fixes one of the two at every step count; the default before issue 23 (the
/// schedule at linspace) is sigma_schedule: schedule with timestep_spacing: linspace.
/// </summary>
public sealed class UniPcOptions : SigmaSamplerOptions
{
    /// <summary>Sets the auto sigma schedule and diffusers' timestep spacing for this solver as the defaults.</summary>
    public UniPcOptions()
    {
        SigmaSchedule = SigmaSchedule.Auto;
        TimestepSpacing = TimestepSpacing.LinspaceSkipZero;
    }

    /// <summary>Order p of the predictor UniP-p; the corrector raises the accuracy to p + 1. Default 2, as diffusers.</summary>
    [Range(1, 3), Description("Order of the predictor; the corrector adds one (2 gives a third-order method).")]
    public int SolverOrder { get; set; } = 2;

    /// <summary>B(h): bh1 or bh2 (default).</summary>
    [Description("B(h) of the update: bh1 (h) or bh2 (e^h - 1).")]
    public UniPcVariant Variant { get; set; } = UniPcVariant.Bh2;
}
