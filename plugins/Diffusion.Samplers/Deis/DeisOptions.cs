namespace Diffusion.Samplers.Deis;

/// <summary>
/// Options of <see cref="DeisSampler"/>.
/// The default sigma_schedule is exponential (equal steps in log σ): on the exact Gaussian flow it is several times more
/// accurate than diffusers' noise levels at 10, 20 and 50 steps (docs/benchmarks.md, "Sampler defaults"). With
/// sigma_schedule: schedule the default timestep_spacing is linspace_skip_zero, diffusers' sequence for DEIS; the old
/// default (the schedule at linspace) is reachable with sigma_schedule: schedule and timestep_spacing: linspace.
/// </summary>
public sealed class DeisOptions : SigmaSamplerOptions
{
    /// <summary>Sets the exponential sigma schedule and diffusers' timestep spacing for this solver as the defaults.</summary>
    public DeisOptions()
    {
        SigmaSchedule = SigmaSchedule.Exponential;
        TimestepSpacing = TimestepSpacing.LinspaceSkipZero;
    }

    /// <summary>Order of the multistep exponential integrator (past evaluations used). Default 2, as diffusers.</summary>
    [Range(1, 3), Description("Order: number of past evaluations the extrapolation uses (1 = ddim).")]
    public int SolverOrder { get; set; } = 2;
}
