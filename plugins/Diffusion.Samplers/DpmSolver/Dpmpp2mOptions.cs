namespace Diffusion.Samplers.DpmSolver;

/// <summary>
/// Options of <see cref="Dpmpp2mSampler"/>. The default sigma_schedule is exponential (equal steps in log σ, the variable
/// the solver integrates in): on the exact Gaussian flow it is 2 to 4 times more accurate than diffusers' noise levels
/// at 10, 20 and 50 steps (docs/benchmarks.md, "Sampler defaults"). With sigma_schedule: schedule the default
/// timestep_spacing is linspace_skip_zero, diffusers' sequence for this solver; the old default, the schedule at linspace,
/// ends with a step six times longer in log σ than the one before and is reachable with timestep_spacing: linspace.
/// </summary>
public sealed class Dpmpp2mOptions : SigmaSamplerOptions
{
    /// <summary>Sets the exponential sigma schedule and diffusers' timestep spacing for this solver as the defaults.</summary>
    public Dpmpp2mOptions()
    {
        SigmaSchedule = SigmaSchedule.Exponential;
        TimestepSpacing = TimestepSpacing.LinspaceSkipZero;
    }
}
