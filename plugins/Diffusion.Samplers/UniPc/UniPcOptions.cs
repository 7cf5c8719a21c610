namespace Diffusion.Samplers.UniPc;

/// <summary>
/// Options of <see cref="UniPcSampler"/>.
/// The default sigma_schedule is exponential (equal steps in log σ): on the exact Gaussian flow it is several times more
/// accurate than diffusers' noise levels at 10, 20 and 50 steps (docs/benchmarks.md, "Sampler defaults"). With
/// sigma_schedule: schedule the default timestep_spacing is linspace_skip_zero, diffusers' sequence for UniPC; the old
/// default (the schedule at linspace) is reachable with sigma_schedule: schedule and timestep_spacing: linspace.
/// </summary>
public sealed class UniPcOptions : SigmaSamplerOptions
{
    /// <summary>Sets the exponential sigma schedule and diffusers' timestep spacing for this solver as the defaults.</summary>
    public UniPcOptions()
    {
        SigmaSchedule = SigmaSchedule.Exponential;
        TimestepSpacing = TimestepSpacing.LinspaceSkipZero;
    }

    /// <summary>Order p of the predictor UniP-p; the corrector raises the accuracy to p + 1. Default 2, as diffusers.</summary>
    [Range(1, 3), Description("Order of the predictor; the corrector adds one (2 gives a third-order method).")]
    public int SolverOrder { get; set; } = 2;

    /// <summary>B(h): bh1 or bh2 (default).</summary>
    [Description("B(h) of the update: bh1 (h) or bh2 (e^h - 1).")]
    public UniPcVariant Variant { get; set; } = UniPcVariant.Bh2;
}
